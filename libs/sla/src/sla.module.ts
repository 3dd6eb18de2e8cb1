import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarDayEntity, IndoorStandardEntity, SlaPolicyEntity } from '@app/persistence';
import { IndoorStandardController } from './indoor-standard.controller';
import { IndoorStandardService } from './indoor-standard.service';
import { SeasonsController } from './seasons.controller';
import { SeasonsService } from './seasons.service';
import { SlaController } from './sla.controller';
import { SlaPolicyService } from './sla-policy.service';
import { WorkCalendarService } from './work-calendar.service';

/** SLA policies and the indoor temperature standard (versioned data), the working-day calendar and the heating seasons. */
@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicyEntity, CalendarDayEntity, IndoorStandardEntity])],
  controllers: [SlaController, SeasonsController, IndoorStandardController],
  providers: [SlaPolicyService, WorkCalendarService, SeasonsService, IndoorStandardService],
  exports: [SlaPolicyService, WorkCalendarService, SeasonsService, IndoorStandardService],
})
export class SlaModule {}
