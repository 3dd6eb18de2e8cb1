import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthMonitor } from './health-monitor.service';

@Module({ controllers: [HealthController], providers: [HealthMonitor] })
export class HealthModule {}
