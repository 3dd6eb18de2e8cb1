import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { mapTicket, TicketDto } from './dto/ticket.dto';
import { Actor, TicketsService } from './tickets.service';

// Until login exists every call acts as the hotline operator; the auth issue replaces this with the token's user.
const HOTLINE_OPERATOR: Actor = { username: 'operator', role: 'operator' };

@ApiTags('tickets')
@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create (dispatch) a ticket and start its SLA workflow' })
  @ApiCreatedResponse({ type: TicketDto })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field; nothing is stored.' })
  @ApiUnprocessableEntityResponse({ description: 'No active company covers the district, or companyId is unknown.' })
  async create(@Body() dto: CreateTicketDto): Promise<TicketDto> {
    return mapTicket(await this.tickets.create(dto, HOTLINE_OPERATOR));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read one ticket' })
  @ApiOkResponse({ type: TicketDto })
  @ApiNotFoundResponse({ description: 'No such ticket.' })
  async findOne(@Param('id', new ParseUUIDPipe()) id: string): Promise<TicketDto> {
    return mapTicket(await this.tickets.findOne(id));
  }
}
