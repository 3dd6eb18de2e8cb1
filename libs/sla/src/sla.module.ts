import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarDayEntity, SlaPolicyEntity } from '@app/persistence';
import { SeasonsController } from './seasons.controller';
import { SeasonsService } from './seasons.service';
import { SlaController } from './sla.controller';
import { SlaPolicyService } from './sla-policy.service';
import { WorkCalendarService } from './work-calendar.service';

/** SLA policies (versioned data), the working-day calendar and the heating seasons. */
@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicyEntity, CalendarDayEntity])],
  controllers: [SlaController, SeasonsController],
  providers: [SlaPolicyService, WorkCalendarService, SeasonsService],
  exports: [SlaPolicyService, WorkCalendarService, SeasonsService],
})
export class SlaModule {}
