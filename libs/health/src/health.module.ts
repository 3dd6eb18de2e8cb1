import { Module } from '@nestjs/common';
import { ShutdownState } from './graceful-shutdown';
import { HealthController } from './health.controller';
import { HealthMonitor } from './health-monitor.service';

@Module({ controllers: [HealthController], providers: [HealthMonitor, ShutdownState], exports: [ShutdownState] })
export class HealthModule {}
