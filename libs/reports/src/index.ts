export * from './hotspot.dto';
export * from './hotspots.service';
export * from './report.dto';
export * from './report-range';
export * from './report-sql';
export * from './reports.module';
export * from './reports.service';
