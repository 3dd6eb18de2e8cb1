import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '@app/auth';
import { TemporalClient } from '@app/temporal';

type Status = 'up' | 'down';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status: 'ok' | 'unavailable';

  @ApiProperty({ enum: ['up', 'down'] })
  database: Status;

  @ApiProperty({ enum: ['up', 'down'] })
  temporal: Status;
}

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalClient,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness of PostgreSQL and Temporal: 200 when both answer, 503 otherwise' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async check(@Res() response: Response): Promise<void> {
    const [database, temporal] = await Promise.all([this.databaseStatus(), this.temporalStatus()]);
    const healthy = database === 'up' && temporal === 'up';
    const body: HealthDto = { status: healthy ? 'ok' : 'unavailable', database, temporal };
    response.status(healthy ? 200 : 503).set('Cache-Control', 'no-store').json(body);
  }

  private async databaseStatus(): Promise<Status> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS);
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async temporalStatus(): Promise<Status> {
    return (await this.temporal.isReachable(CHECK_TIMEOUT_MS)) ? 'up' : 'down';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
