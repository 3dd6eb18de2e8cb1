export * from './dto/indoor-standard.dto';
export * from './dto/season.dto';
export * from './indoor-standard.service';
export * from './seasons.service';
export * from './sla-policy.service';
export * from './sla.module';
export * from './work-calendar.service';
