import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/** `/dashboard`: the old address of the supervisor dashboard, redirecting to the console's page. */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
