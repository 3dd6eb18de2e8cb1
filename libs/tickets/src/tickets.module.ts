import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompanyEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { EscalationsModule } from '@app/escalations';
import { MetricsModule } from '@app/metrics';
import { SlaModule } from '@app/sla';
import { TicketActivitiesService } from './ticket.activities';
import { TicketWorkflowStarter } from './lifecycle-starter.service';
import { TicketWorkflowGateway } from './lifecycle.gateway';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';
import { WorkflowStartSweeper } from './lifecycle-start-sweeper.service';

/** The HTTP side of tickets: the API app imports this. */
@Module({
  imports: [TypeOrmModule.forFeature([TicketEntity, TicketEventEntity, CompanyEntity]), SlaModule, EscalationsModule, MetricsModule],
  controllers: [TicketsController],
  providers: [TicketsService, TicketWorkflowStarter, TicketWorkflowGateway],
  exports: [TicketsService, TicketWorkflowStarter],
})
export class TicketsModule {}

/** The worker side of tickets: the workflow's activities and the start sweeper. */
@Module({
  imports: [TypeOrmModule.forFeature([TicketEntity, TicketEventEntity]), SlaModule, MetricsModule],
  providers: [TicketActivitiesService, TicketWorkflowStarter, WorkflowStartSweeper],
  exports: [TicketActivitiesService],
})
export class TicketActivitiesModule {}
