import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarDayEntity, SlaPolicyEntity } from '@app/persistence';
import { SlaController } from './sla.controller';
import { SlaPolicyService } from './sla-policy.service';
import { WorkCalendarService } from './work-calendar.service';

/** SLA policies (versioned data) and the working-day calendar. */
@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicyEntity, CalendarDayEntity])],
  controllers: [SlaController],
  providers: [SlaPolicyService, WorkCalendarService],
  exports: [SlaPolicyService, WorkCalendarService],
})
export class SlaModule {}
