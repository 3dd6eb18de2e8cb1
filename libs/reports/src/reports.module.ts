import { Module } from '@nestjs/common';
import { SlaModule } from '@app/sla';
import { HotspotsController } from './hotspots.controller';
import { HotspotsService } from './hotspots.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** Read-only SQL reports over tickets, escalations and notices: supervisors' review, hot spots and the public league table. */
@Module({
  imports: [SlaModule],
  controllers: [ReportsController, HotspotsController],
  providers: [ReportsService, HotspotsService],
  exports: [ReportsService, HotspotsService],
})
export class ReportsModule {}
