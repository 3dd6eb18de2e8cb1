import { Module } from '@nestjs/common';
import { SlaModule } from '@app/sla';
import { HotspotsController } from './hotspots.controller';
import { HotspotsService } from './hotspots.service';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** Read-only SQL reports over tickets, escalations and notices: supervisors' review, hot spots, refunds and the public league table. */
@Module({
  imports: [SlaModule],
  controllers: [ReportsController, HotspotsController, RefundsController],
  providers: [ReportsService, HotspotsService, RefundsService],
  exports: [ReportsService, HotspotsService, RefundsService],
})
export class ReportsModule {}
