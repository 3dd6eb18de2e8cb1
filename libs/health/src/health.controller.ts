import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { ShutdownState } from './graceful-shutdown';
import { HealthMonitor } from './health-monitor.service';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable', 'draining'], description: '`draining`: the process is stopping (SIGTERM); it still serves requests, but takes no new traffic.' })
  status: 'ok' | 'unavailable' | 'draining';

  @ApiProperty({ enum: ['up', 'down'] })
  database: 'up' | 'down';

  @ApiProperty({ enum: ['up', 'down'] })
  temporal: 'up' | 'down';

  @ApiProperty({ format: 'date-time', description: 'When the dependencies were last probed (every 2 s, in the background).' })
  checkedAt: string;
}

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly monitor: HealthMonitor,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Readiness: 200 when PostgreSQL and Temporal answer, 503 naming the one down, or 503 draining while the process stops',
    description:
      'Read from background probes (every 2 s; down after 2 failures in a row): a burst of checks costs the database nothing and does not flap. From SIGTERM on: 503 with status `draining`, so a balancer stops sending traffic while requests in flight finish.',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async readiness(@Res() response: Response): Promise<void> {
    const { database, temporal, checkedAt } = await this.monitor.readiness();
    const draining = this.shutdown.draining;
    const ready = !draining && database === 'up' && temporal === 'up';
    const body: HealthDto = { status: draining ? 'draining' : ready ? 'ok' : 'unavailable', database, temporal, checkedAt };
    response.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json(body);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests (draining included); no I/O, so load never makes it fail' })
  @ApiOkResponse({ type: LivenessDto })
  liveness(): LivenessDto {
    return { status: 'ok' };
  }
}
