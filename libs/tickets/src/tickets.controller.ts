import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
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
import type { Response } from 'express';
import { CurrentUser, Roles } from '@app/auth';
import type { AuthenticatedUser } from '@app/auth';
import type { ActionInput } from '@app/domain';
import { CreateTicketDto } from './dto/create-ticket.dto';
import {
  CallbackDto,
  ExtensionRequestDto,
  NoteDto,
  OptionalReasonDto,
  ReasonDto,
  ReassignDto,
  ReplyDto,
  VisitDto,
} from './dto/ticket-actions.dto';
import { mapTicket, TicketDto } from './dto/ticket.dto';
import { ListTicketsQueryDto, mapTicketEvent, TicketEventDto, TicketPageDto } from './dto/ticket-queries.dto';
import { EscalationDto } from '@app/escalations';
import { TicketsService } from './tickets.service';

const ID = new ParseUUIDPipe();

/** Operators and the assigned crew see the phone in full; supervisors (and admins) see it masked. */
function phoneFor(user: AuthenticatedUser): 'full' | 'masked' {
  return user.role === 'operator' || user.role === 'crew' ? 'full' : 'masked';
}

@ApiTags('tickets')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid token.' })
@ApiForbiddenResponse({ description: 'The role may not take this action.' })
@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Post()
  @Roles('operator')
  @ApiOperation({
    summary: 'Create (dispatch) a ticket and start its SLA workflow',
    description:
      'A call with the same phone, address and category as an open ticket (or one closed < 7 days ago) is a repeat call: 200 with that ticket, repeatCount + 1 (reopened if it was closed). `forceNew` overrides.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first answer and creates nothing.' })
  @ApiCreatedResponse({ type: TicketDto, description: 'A new ticket.' })
  @ApiOkResponse({ type: TicketDto, description: 'A repeat call: the existing ticket.' })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field; nothing is stored.' })
  @ApiUnprocessableEntityResponse({ description: 'No active company covers the district, companyId is unknown, or the key was used for another request.' })
  async create(
    @Body() dto: CreateTicketDto,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<TicketDto> {
    const outcome = await this.tickets.create(dto, user, idempotencyKey?.trim() || undefined);
    response.status(outcome.statusCode);
    return outcome.ticket;
  }

  @Get()
  @Roles('operator', 'supervisor', 'crew')
  @ApiOperation({ summary: 'List tickets newest first, filtered, by cursor pages (crews: only their company’s)' })
  @ApiOkResponse({ type: TicketPageDto })
  async list(@Query() query: ListTicketsQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketPageDto> {
    const page = await this.tickets.list(query, user);
    return { items: page.items.map((ticket) => mapTicket(ticket, phoneFor(user))), nextCursor: page.nextCursor };
  }

  @Get(':id/events')
  @Roles('operator', 'supervisor', 'crew')
  @ApiOperation({ summary: 'The audit trail: every action and rung, with who, role and when' })
  @ApiOkResponse({ type: [TicketEventDto] })
  @ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' })
  async events(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketEventDto[]> {
    return (await this.tickets.events(id, user)).map(mapTicketEvent);
  }

  @Get(':id/escalations')
  @Roles('operator', 'supervisor', 'crew')
  @ApiOperation({ summary: 'The rungs fired for this ticket, oldest first' })
  @ApiOkResponse({ type: [EscalationDto] })
  @ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' })
  escalations(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<EscalationDto[]> {
    return this.tickets.escalations(id, user);
  }

  @Get(':id')
  @Roles('operator', 'supervisor', 'crew')
  @ApiOperation({ summary: 'Read one ticket (crews: only their company’s)' })
  @ApiOkResponse({ type: TicketDto })
  @ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' })
  async findOne(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return mapTicket(await this.tickets.findVisible(id, user), phoneFor(user));
  }

  private async act(id: string, input: ActionInput, user: AuthenticatedUser): Promise<TicketDto> {
    return mapTicket(await this.tickets.act(id, input, user), phoneFor(user));
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Roles('crew')
  @ApiOperation({ summary: 'Accept (签收): RECEIVED → ACCEPTED' })
  @ActionResponses()
  accept(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'accept' }, user);
  }

  @Post(':id/contact')
  @HttpCode(200)
  @Roles('crew')
  @ApiOperation({ summary: 'Contact the citizen (联系群众): ACCEPTED → CONTACTED' })
  @ActionResponses()
  contact(@Param('id', ID) id: string, @Body() body: NoteDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'contact', note: body.note }, user);
  }

  @Post(':id/visit')
  @HttpCode(200)
  @Roles('crew')
  @ApiOperation({ summary: 'Visit with readings (上门测温): CONTACTED/REMEDIATING → VISITED, or REMEDIATING below the standard' })
  @ActionResponses()
  visit(@Param('id', ID) id: string, @Body() body: VisitDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'visit', note: body.note, readings: body.readings.map(({ room, celsius }) => ({ room, celsius })) }, user);
  }

  @Post(':id/reply')
  @HttpCode(200)
  @Roles('crew')
  @ApiOperation({ summary: 'Reply with the result (办理回复): VISITED (or CONTACTED without visit) → REPLIED' })
  @ActionResponses()
  reply(@Param('id', ID) id: string, @Body() body: ReplyDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'reply', resolution: body.resolution }, user);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('crew')
  @ApiOperation({ summary: 'Ask to return the ticket (退单): RECEIVED/ACCEPTED → RETURN_REQUESTED' })
  @ActionResponses()
  requestReturn(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'return', reason: body.reason }, user);
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Reassign to another company: a new dispatch with fresh deadlines, dispatchCount + 1' })
  @ActionResponses()
  reassign(@Param('id', ID) id: string, @Body() body: ReassignDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'reassign', companyId: body.companyId }, user);
  }

  @Post(':id/reject-return')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Refuse a return request: back to the status before it, deadlines unchanged' })
  @ActionResponses()
  rejectReturn(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'reject-return', reason: body.reason }, user);
  }

  @Post(':id/extension')
  @HttpCode(200)
  @Roles('crew')
  @ApiOperation({ summary: 'Ask for an extension of the current stage, before its deadline (one approved per ticket)' })
  @ActionResponses()
  requestExtension(@Param('id', ID) id: string, @Body() body: ExtensionRequestDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'extension', reason: body.reason, extendBy: body.extendBy }, user);
  }

  @Post(':id/extension/approve')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({ summary: 'Approve the pending extension: the stage deadline and its rungs move by extendBy' })
  @ActionResponses()
  approveExtension(@Param('id', ID) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'extension-approve' }, user);
  }

  @Post(':id/extension/reject')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({ summary: 'Reject the pending extension' })
  @ActionResponses()
  rejectExtension(@Param('id', ID) id: string, @Body() body: OptionalReasonDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'extension-reject', reason: body.reason }, user);
  }

  @Post(':id/callback')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Record the callback (回访): CLOSED, or reopened (重办) when UNSATISFIED through the unit’s fault' })
  @ActionResponses()
  callback(@Param('id', ID) id: string, @Body() body: CallbackDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(
      id,
      { action: 'callback', reached: body.reached, solved: body.solved, satisfaction: body.satisfaction, unitAtFault: body.unitAtFault, note: body.note },
      user,
    );
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Cancel a ticket opened by mistake: CANCELLED, all timers stop' })
  @ActionResponses()
  cancel(@Param('id', ID) id: string, @Body() body: ReasonDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketDto> {
    return this.act(id, { action: 'cancel', reason: body.reason }, user);
  }
}

/** The answers every action shares. */
function ActionResponses(): MethodDecorator {
  const decorators = [
    ApiOkResponse({ type: TicketDto, description: 'The ticket after the action.' }),
    ApiBadRequestResponse({ description: 'A bad body, naming each field; nothing changed.' }),
    ApiNotFoundResponse({ description: 'No such ticket (or not the crew’s company).' }),
    ApiConflictResponse({ description: 'The action is not allowed in the ticket’s current status; nothing changed.' }),
    ApiServiceUnavailableResponse({ description: 'The ticket workflow could not be reached; nothing changed.' }),
  ];
  return (target, key, descriptor) => {
    for (const decorator of decorators) decorator(target, key, descriptor);
  };
}
