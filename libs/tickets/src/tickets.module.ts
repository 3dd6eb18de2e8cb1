import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompanyEntity, IdempotencyKeyEntity, RepeatCallEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { EscalationsModule } from '@app/escalations';
import { MetricsModule } from '@app/metrics';
import { SlaModule } from '@app/sla';
import { IdempotencyKeys } from './idempotency-keys.service';
import { RepeatCalls } from './repeat-calls.service';
import { TicketActivitiesService } from './ticket-activities.service';
import { TicketNumbers } from './ticket-numbers.service';
import { TicketRouting } from './ticket-routing.service';
import { TicketWorkflowGateway } from './ticket-workflow.gateway';
import { TicketWorkflowStarter } from './ticket-workflow-starter.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';
import { WorkflowStartSweeper } from './workflow-start-sweeper.service';

const ENTITIES = TypeOrmModule.forFeature([TicketEntity, TicketEventEntity, CompanyEntity, IdempotencyKeyEntity, RepeatCallEntity]);

/** The HTTP side of tickets: the API app imports this. */
@Module({
  imports: [ENTITIES, SlaModule, EscalationsModule, MetricsModule],
  controllers: [TicketsController],
  providers: [TicketsService, IdempotencyKeys, RepeatCalls, TicketRouting, TicketNumbers, TicketWorkflowStarter, TicketWorkflowGateway],
  exports: [TicketsService, TicketWorkflowStarter],
})
export class TicketsModule {}

/** The worker side of tickets: the workflow's activities, and the sweeper of unstarted workflows and undelivered repeat calls. */
@Module({
  imports: [ENTITIES, SlaModule, MetricsModule],
  providers: [TicketActivitiesService, TicketWorkflowStarter, TicketWorkflowGateway, RepeatCalls, WorkflowStartSweeper],
  exports: [TicketActivitiesService],
})
export class TicketActivitiesModule {}
