import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { Public } from '@app/auth';
import { METRICS_REGISTRY } from './metrics.tokens';

@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics of this API process: tickets, actions, workflow start failures, HTTP latency by route, process',
    description: 'Text exposition format. Rung metrics come from the worker, on its own WORKER_METRICS_PORT.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The Prometheus text format (version 0.0.4).', schema: { type: 'string' } })
  async scrape(@Res() response: Response): Promise<void> {
    const body = await this.registry.metrics();
    response.status(200).set('Content-Type', this.registry.contentType).set('Cache-Control', 'no-store').send(body);
  }
}
