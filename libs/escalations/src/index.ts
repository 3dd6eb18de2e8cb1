export * from './escalation.dto';
export * from './escalations.module';
export * from './escalations.service';
