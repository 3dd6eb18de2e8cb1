import { applyDecorators, Body, Controller, createParamDecorator, ExecutionContext, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, phoneVisibilityFor, RequirePermission } from '@app/auth';
import type { Permission } from '@app/auth';
import { satisfactionOf } from '@app/domain';
import type { ActionInput, AuthenticatedUser } from '@app/domain';
import { CreateTicketDto } from './dto/create-ticket.dto';
import {
  CallbackDto,
  ContactDto,
  EmptyBodyDto,
  ExtensionRequestDto,
  OptionalNoteDto,
  OptionalReasonDto,
  PauseRequestDto,
  RaisePriorityDto,
  ReasonDto,
  ReassignDto,
  RefundExclusionDto,
  ReplyDto,
  VisitDto,
} from './dto/ticket-actions.dto';
import { mapTicket, TicketDetailDto, TicketDto } from './dto/ticket.dto';
import { ListTicketsQueryDto, mapTicketEvent, TicketEventDto, TicketPageDto } from './dto/ticket-queries.dto';
import { EscalationDto } from '@app/escalations';
import { ProblemException } from '@app/http';
import { WorkCalendarService } from '@app/sla';
import { TicketsService } from './tickets.service';

const ID = new ParseUUIDPipe();

/** The longest Idempotency-Key taken (a UUID has 36 characters); a longer one used to reach the keys' index and fail there (500). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const IDEMPOTENCY_KEY_SCHEMA = { type: 'string', maxLength: MAX_IDEMPOTENCY_KEY_LENGTH } as const;

/** The request's `Idempotency-Key` header, trimmed; absent when missing or blank; 400 when too long. */
const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const key = context.switchToHttp().getRequest<Request>().header('idempotency-key')?.trim() || undefined;
  if (key && key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    const message = `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`;
    throw new ProblemException(HttpStatus.BAD_REQUEST, message, { title: 'Validation failed', errors: [{ field: 'Idempotency-Key', message }] });
  }
  return key;
});

@ApiTags('tickets')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid token.' })
@ApiForbiddenResponse({ description: 'The role may not take this action.' })
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly calendars: WorkCalendarService,
  ) {}

  @Post()
  @RequirePermission('tickets.create')
  @ApiOperation({
    summary: 'Create (dispatch) a ticket and start its SLA workflow',
    description:
      'A call with the same phone, address and category as an open ticket (or one closed < 7 days ago) is a repeat call: 200 with that ticket, repeatCount + 1 (reopened if it was closed). `forceNew` overrides.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, schema: IDEMPOTENCY_KEY_SCHEMA, description: 'A retry with the same key returns the first answer and creates nothing.' })
  @ApiCreatedResponse({ type: TicketDto, description: 'A new ticket.' })
  @ApiOkResponse({ type: TicketDto, description: 'A repeat call: the existing ticket.' })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field; nothing is stored.' })
  @ApiUnprocessableEntityResponse({ description: 'No active company covers the district, companyId is unknown, or the key was used for another request.' })
  async create(
    @Body() dto: CreateTicketDto,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) response: Response,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<TicketDto> {
    const outcome = await this.tickets.create(dto, user, idempotencyKey);
    response.status(outcome.statusCode);
    return mapTicket(outcome.ticket, phoneVisibilityFor(user), outcome.coverage ?? (await this.calendars.coverage()));
  }

  @Get()
  @RequirePermission('tickets.read')
  @ApiOperation({
    summary: 'List tickets newest first, filtered, by cursor pages (crews: only their company’s)',
    description:
      'The supervisors’ queues, oldest request first: `extension=PENDING` (extension requests waiting for a supervisor) and `returnRequested=true` (return requests waiting for an operator), `review=PENDING` (callbacks to review) and `pause=PENDING` (pause requests waiting for a supervisor), one at a time. `companyActive=false&open=true`: open tickets left at deactivated companies, to reassign.',
  })
  @ApiOkResponse({ type: TicketPageDto })
  @ApiBadRequestResponse({ description: 'A bad filter value or cursor, naming the field.' })
  async list(@Query() query: ListTicketsQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketPageDto> {
    const page = await this.tickets.list(query, user);
    const coverage = await this.calendars.coverage();
    return { items: page.items.map((ticket) => mapTicket(ticket, phoneVisibilityFor(user), coverage)), nextCursor: page.nextCursor };
  }

  @Get(':id/events')
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'The audit trail: every action and rung, with who, role and when' })
  @ApiOkResponse({ type: [TicketEventDto] })
  @ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' })
  async events(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketEventDto[]> {
    return (await this.tickets.events(id, user)).map(mapTicketEvent);
  }

  @Get(':id/escalations')
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'The rungs fired for this ticket, oldest first' })
  @ApiOkResponse({ type: [EscalationDto] })
  @ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' })
  escalations(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<EscalationDto[]> {
    return this.tickets.escalations(id, user);
  }

  @Get(':id')
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Read one ticket with the record of each dispatch (crews: only their company’s)' })
  @ApiOkResponse({ type: TicketDetailDto })
  @ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' })
  async findOne(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketDetailDto> {
    const { ticket, dispatches, refund, coverage } = await this.tickets.detail(id, user);
    return { ...mapTicket(ticket, phoneVisibilityFor(user), coverage), dispatches, refund };
  }

  private async act(id: string, input: ActionInput, user: AuthenticatedUser, idempotencyKey: string | undefined): Promise<TicketDto> {
    return mapTicket(await this.tickets.act(id, input, user, idempotencyKey), phoneVisibilityFor(user), await this.calendars.coverage());
  }

  @TicketAction('accept', 'tickets.work', 'Accept (签收): RECEIVED → ACCEPTED')
  accept(@Param('id', ID) id: string, @Body() _body: EmptyBodyDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'accept' }, user, key);
  }

  @TicketAction('contact', 'tickets.work', 'Contact the citizen (联系群众): ACCEPTED → CONTACTED')
  contact(@Param('id', ID) id: string, @Body() body: ContactDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'contact', note: body.note, ...extensionNotified(body) }, user, key);
  }

  @TicketAction('visit', 'tickets.work', 'Visit with readings (上门测温): CONTACTED/REMEDIATING → VISITED, or REMEDIATING below the standard')
  visit(@Param('id', ID) id: string, @Body() body: VisitDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    const readings = body.readings.map(({ room, roomType, celsius, method, measuredBy }) => ({
      room,
      roomType,
      celsius,
      method: { doorsAndWindowsClosed: method.doorsAndWindowsClosed, roomCentre: method.roomCentre, oneMetreHigh: method.oneMetreHigh, stableValue: method.stableValue },
      ...(measuredBy ? { measuredBy } : {}),
    }));
    return this.act(id, { action: 'visit', note: body.note, readings, ...extensionNotified(body) }, user, key);
  }

  @TicketAction('reply', 'tickets.work', 'Reply with the result (办理回复): VISITED (or CONTACTED without visit) → REPLIED')
  reply(@Param('id', ID) id: string, @Body() body: ReplyDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'reply', resolution: body.resolution, ...extensionNotified(body) }, user, key);
  }

  @TicketAction('return', 'tickets.work', 'Ask to return the ticket (退单): RECEIVED/ACCEPTED → RETURN_REQUESTED')
  requestReturn(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'return', reason: body.reason }, user, key);
  }

  @TicketAction('reassign', 'tickets.dispatch', 'Reassign to another company: a new dispatch with fresh deadlines, dispatchCount + 1')
  reassign(@Param('id', ID) id: string, @Body() body: ReassignDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'reassign', companyId: body.companyId }, user, key);
  }

  @TicketAction('reject-return', 'tickets.dispatch', 'Refuse a return request: back to the status before it, deadlines unchanged')
  rejectReturn(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'reject-return', reason: body.reason }, user, key);
  }

  @TicketAction('extension', 'tickets.work', 'Ask for an extension of the current stage, before its deadline (one approved per ticket)')
  requestExtension(@Param('id', ID) id: string, @Body() body: ExtensionRequestDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'extension', reason: body.reason, extendBy: body.extendBy }, user, key);
  }

  @TicketAction('extension/approve', 'extensions.decide', 'Approve the pending extension: the stage deadline and its rungs move by extendBy')
  approveExtension(@Param('id', ID) id: string, @Body() _body: EmptyBodyDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'extension-approve' }, user, key);
  }

  @TicketAction('extension/reject', 'extensions.decide', 'Reject the pending extension')
  rejectExtension(@Param('id', ID) id: string, @Body() body: OptionalReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'extension-reject', reason: body.reason }, user, key);
  }

  @TicketAction('extension/notified', 'tickets.work', 'Record that the citizen was told the approved extension’s new date and reason (domain.md §2.4): once, after the approval')
  extensionNotified(@Param('id', ID) id: string, @Body() body: OptionalNoteDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'extension-notified', ...(body.note ? { note: body.note } : {}) }, user, key);
  }

  @TicketAction('pause', 'tickets.work', 'Ask to pause the current stage’s clock (暂停计时): the resident is away or refuses entry, with the calls tried; one pause per stage, before its deadline; a supervisor decides')
  requestPause(@Param('id', ID) id: string, @Body() body: PauseRequestDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'pause', reason: body.reason, note: body.note, callAttempts: body.callAttempts }, user, key);
  }

  @TicketAction('pause/approve', 'pauses.decide', 'Approve the pending pause: the stage’s clock (and the later stages’) stops until the crew resumes, or the policy’s pauseCap (48 h) passes')
  approvePause(@Param('id', ID) id: string, @Body() _body: EmptyBodyDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'pause-approve' }, user, key);
  }

  @TicketAction('pause/reject', 'pauses.decide', 'Reject the pending pause: the clock never stopped')
  rejectPause(@Param('id', ID) id: string, @Body() body: OptionalReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'pause-reject', reason: body.reason }, user, key);
  }

  @TicketAction('resume', 'tickets.work', 'End the pause (恢复计时): the stage’s deadline and rungs move by the paused time, in the policy’s clock')
  resume(@Param('id', ID) id: string, @Body() body: OptionalNoteDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'resume', ...(body.note ? { note: body.note } : {}) }, user, key);
  }

  @TicketAction('refund-exclusion', 'tickets.work', 'Record why no refund is due (domain.md §3: altered facilities, covered radiators, drained water, other devices), with the evidence; once, while the ticket is open')
  recordRefundExclusion(@Param('id', ID) id: string, @Body() body: RefundExclusionDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'refund-exclusion', exclusion: body.exclusion, note: body.note }, user, key);
  }

  @TicketAction('callback', 'tickets.dispatch', 'Record the callback (回访): CLOSED; reopened (重办) when UNSATISFIED through the unit’s fault; the review queue when UNSATISFIED for objective reasons; not reached: REPLIED until the last attempt (未联系上)')
  callback(@Param('id', ID) id: string, @Body() body: CallbackDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    // The national five-level answer is kept, and read as the three levels the reports use (satisfactionOf).
    const input: ActionInput = body.reached
      ? {
          action: 'callback',
          reached: true,
          solved: body.solved,
          satisfaction: satisfactionOf(body.satisfaction!),
          evaluation: body.satisfaction,
          contacted: body.contacted,
          unitAtFault: body.unitAtFault,
          note: body.note,
        }
      : { action: 'callback', reached: false, note: body.note };
    return this.act(id, input, user, key);
  }

  @TicketAction('review/confirm', 'reviews.decide', 'Confirm the closure of a callback judged 不满意 for objective reasons (review queue): CLOSED')
  confirmReview(@Param('id', ID) id: string, @Body() body: OptionalReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'review-confirm', reason: body.reason }, user, key);
  }

  @TicketAction('review/reopen', 'reviews.decide', 'Order 重办 of a callback judged 不满意 for objective reasons (review queue): reopened at the same company')
  reopenReview(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'review-reopen', reason: body.reason }, user, key);
  }

  @TicketAction('priority', 'tickets.dispatch', 'Raise the priority (e.g. an elderly person alone): the open stages are re-armed by the new policy from now, never later than they were')
  raisePriority(@Param('id', ID) id: string, @Body() body: RaisePriorityDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'raise-priority', priority: body.priority, reason: body.reason }, user, key);
  }

  @TicketAction('cancel', 'tickets.dispatch', 'Cancel a ticket opened by mistake: CANCELLED, all timers stop')
  cancel(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser, @IdempotencyKey() key?: string): Promise<TicketDto> {
    return this.act(id, { action: 'cancel', reason: body.reason }, user, key);
  }
}

/** The in-passing record that the citizen was told of the approved extension, when the body says so. */
function extensionNotified(body: { extensionNotified?: boolean }): { extensionNotified?: true } {
  return body.extensionNotified ? { extensionNotified: true } : {};
}

/** One action route: `POST /tickets/{id}/<path>`, its permission, and the answers every action shares. */
function TicketAction(path: string, permission: Permission, summary: string): MethodDecorator {
  return applyDecorators(
    Post(`:id/${path}`),
    HttpCode(200),
    RequirePermission(permission),
    ApiOperation({ summary }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      schema: IDEMPOTENCY_KEY_SCHEMA,
      description:
        'One key per intended action: a retry with the same key and body applies nothing again and gets the same answer (200 with the ticket as it is now, or the same refusal).',
    }),
    ApiOkResponse({ type: TicketDto, description: 'The ticket after the action.' }),
    ApiBadRequestResponse({ description: 'A bad body, naming each field; nothing changed.' }),
    ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' }),
    ApiConflictResponse({ description: 'The action is not allowed in the ticket’s current status; nothing changed.' }),
    ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used for another request (another ticket, action or body); for a reassignment also an unknown, inactive or the same company.' }),
    ApiServiceUnavailableResponse({ description: 'The ticket workflow could not be reached; nothing changed.' }),
  );
}
