export * from './dto/season.dto';
export * from './seasons.service';
export * from './sla-policy.service';
export * from './sla.module';
export * from './work-calendar.service';
