export * from './graceful-shutdown';
export * from './health-monitor.service';
export * from './health.controller';
export * from './health.module';
