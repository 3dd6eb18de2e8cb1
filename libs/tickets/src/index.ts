export * from './dto/create-ticket.dto';
export * from './dto/ticket.dto';
export * from './ticket-workflow-input';
export * from './ticket-workflow-starter.service';
export * from './ticket.activities';
export * from './tickets.module';
export * from './tickets.service';
export * from './workflow-start-sweeper.service';
