import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CATEGORIES, CHANNELS, DISTRICTS, ESCALATION_LEVELS, maskPhone, PRIORITIES, STAGES, TICKET_STATUSES } from '@app/domain';
import type { Category, Channel, District, EscalationLevel, Priority, Stage, TicketStatus } from '@app/domain';
import type { TicketEntity } from '@app/persistence';

export class StageDto {
  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  doneAt: string | null;

  @ApiProperty({ description: 'True once the deadline passed undone; stays true when done late.' })
  overdue: boolean;
}

export class ReadingDto {
  @ApiProperty()
  room: string;

  @ApiProperty()
  celsius: number;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class ExtensionDto {
  @ApiProperty({ enum: ['PENDING', 'APPROVED', 'REJECTED'] })
  status: 'PENDING' | 'APPROVED' | 'REJECTED';

  @ApiProperty({ enum: STAGES, description: 'The stage whose deadline the request is about.' })
  stage: Stage;

  @ApiProperty()
  reason: string;

  @ApiProperty({ example: 'PT12H' })
  extendBy: string;

  @ApiProperty({ format: 'date-time' })
  requestedAt: string;

  @ApiProperty()
  requestedBy: string;

  @ApiPropertyOptional({ format: 'date-time' })
  decidedAt?: string;

  @ApiPropertyOptional()
  decidedBy?: string;
}

export class CallbackResultDto {
  @ApiProperty()
  reached: boolean;

  @ApiProperty()
  solved: boolean;

  @ApiProperty({ enum: ['SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED'] })
  satisfaction: string;

  @ApiProperty()
  unitAtFault: boolean;

  @ApiProperty()
  note: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty()
  by: string;
}

export class TicketDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '8890-20261128-000001' })
  number: string;

  @ApiProperty({ enum: TICKET_STATUSES })
  status: TicketStatus;

  @ApiProperty({ enum: CATEGORIES })
  category: Category;

  @ApiProperty({ enum: PRIORITIES })
  priority: Priority;

  @ApiProperty({ enum: CHANNELS })
  channel: Channel;

  @ApiProperty({ enum: DISTRICTS })
  district: District;

  @ApiProperty()
  address: string;

  @ApiProperty()
  citizenName: string;

  @ApiProperty({ description: 'In full for operators and the assigned crew; masked (138****5678) for supervisors.' })
  citizenPhone: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'uuid' })
  companyId: string;

  @ApiProperty({ format: 'date-time' })
  dispatchedAt: string;

  @ApiProperty()
  dispatchCount: number;

  @ApiProperty()
  reopenCount: number;

  @ApiProperty()
  repeatCount: number;

  @ApiProperty()
  policyVersion: number;

  @ApiProperty({
    description: `Deadlines of the current dispatch, by stage (${STAGES.join(', ')}); a stage without a deadline is absent.`,
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/StageDto' },
  })
  stages: Partial<Record<Stage, StageDto>>;

  @ApiProperty({ enum: ESCALATION_LEVELS })
  escalationLevel: EscalationLevel;

  @ApiProperty({ type: ExtensionDto, nullable: true, description: 'The latest extension request and its decision.' })
  extension: ExtensionDto | null;

  @ApiProperty({ type: [ReadingDto] })
  readings: ReadingDto[];

  @ApiProperty({ type: String, nullable: true, description: 'The crew’s reply (办理回复).' })
  resolution: string | null;

  @ApiProperty({ type: CallbackResultDto, nullable: true })
  callback: CallbackResultDto | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  closedAt: string | null;
}

/** How a viewer sees the phone: in full for operators and crews, masked for everyone else. */
export type PhoneVisibility = 'full' | 'masked';

export function mapTicket(ticket: TicketEntity, phone: PhoneVisibility = 'full'): TicketDto {
  const stages: Partial<Record<Stage, StageDto>> = {};
  for (const stage of STAGES) {
    const state = ticket.stages[stage];
    if (state) stages[stage] = { dueAt: state.dueAt, doneAt: state.doneAt, overdue: state.overdue };
  }
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    category: ticket.category,
    priority: ticket.priority,
    channel: ticket.channel,
    district: ticket.district,
    address: ticket.address,
    citizenName: ticket.citizenName,
    citizenPhone: phone === 'full' ? ticket.citizenPhone : maskPhone(ticket.citizenPhone),
    description: ticket.description,
    companyId: ticket.companyId,
    dispatchedAt: ticket.dispatchedAt.toISOString(),
    dispatchCount: ticket.dispatchCount,
    reopenCount: ticket.reopenCount,
    repeatCount: ticket.repeatCount,
    policyVersion: ticket.policyVersion,
    stages,
    escalationLevel: ticket.escalationLevel,
    extension: ticket.extension,
    readings: ticket.readings,
    resolution: ticket.resolution,
    callback: ticket.callback,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    closedAt: ticket.closedAt ? ticket.closedAt.toISOString() : null,
  };
}
