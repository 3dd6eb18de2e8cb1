import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompanyEntity, IdempotencyKeyEntity, RepeatCallEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { EscalationsModule } from '@app/escalations';
import { MetricsModule } from '@app/metrics';
import { SlaModule } from '@app/sla';
import { IdempotencyKeys } from './idempotency-keys.service';
import { IntakeController } from './intake.controller';
import { IntakeService } from './intake.service';
import { RepeatCalls } from './repeat-calls.service';
import { TicketActivitiesService } from './ticket-activities.service';
import { TicketNumbers } from './ticket-numbers.service';
import { TicketRouting } from './ticket-routing.service';
import { TicketLifecycleGateway } from './ticket-lifecycle.gateway';
import { TicketLifecycleStarter } from './ticket-lifecycle-starter.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';
import { LifecycleStartSweeper } from './lifecycle-start-sweeper.service';

const ENTITIES = TypeOrmModule.forFeature([TicketEntity, TicketEventEntity, CompanyEntity, IdempotencyKeyEntity, RepeatCallEntity]);

/** The HTTP side of tickets: the API app imports this. */
@Module({
  imports: [ENTITIES, SlaModule, EscalationsModule, MetricsModule],
  controllers: [TicketsController, IntakeController],
  providers: [TicketsService, IntakeService, IdempotencyKeys, RepeatCalls, TicketRouting, TicketNumbers, TicketLifecycleStarter, TicketLifecycleGateway],
  exports: [TicketsService, TicketLifecycleStarter],
})
export class TicketsModule {}

/** The worker side of tickets: the workflow's activities, and the sweeper of unstarted workflows and undelivered repeat calls. */
@Module({
  imports: [ENTITIES, SlaModule, MetricsModule],
  providers: [TicketActivitiesService, TicketLifecycleStarter, TicketLifecycleGateway, RepeatCalls, LifecycleStartSweeper],
  exports: [TicketActivitiesService],
})
export class TicketActivitiesModule {}
