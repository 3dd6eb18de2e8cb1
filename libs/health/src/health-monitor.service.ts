import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TemporalClient } from '@app/temporal';

export type DependencyStatus = 'up' | 'down';

/** How often each dependency is probed, how long a probe may take, and how many failures in a row make it down. */
export const HEALTH_PROBE = { everyMs: 2000, timeoutMs: 2000, downAfterFailures: 2 } as const;

/** What the last probes found. */
export interface Readiness {
  readonly database: DependencyStatus;
  readonly temporal: DependencyStatus;
  readonly checkedAt: string;
}

/**
 * Probes PostgreSQL and Temporal in the background, one probe of each at a time, and keeps the answer:
 * `GET /health` reads it, so a burst of health checks costs the database nothing and cannot queue behind
 * the pool. A dependency turns down only after `downAfterFailures` failed probes in a row, so one slow probe
 * under load does not take a healthy replica out of the balancer; one good probe brings it back.
 */
@Injectable()
export class HealthMonitor implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private failures = { database: 0, temporal: 0 };
  private last: Readiness | undefined;
  private probing: Promise<Readiness> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalClient,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.probe(), HEALTH_PROBE.everyMs);
    this.timer.unref();
  }

  /** No new probe, and the one in flight finishes before the connections it uses close. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.probing?.catch(() => undefined);
  }

  /** The latest readiness; the first call (before any probe finished) waits for one. */
  async readiness(): Promise<Readiness> {
    return this.last ?? this.probe();
  }

  private probe(): Promise<Readiness> {
    this.probing ??= this.runProbe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async runProbe(): Promise<Readiness> {
    const [database, temporal] = await Promise.all([this.databaseAnswers(), this.temporal.isReachable(HEALTH_PROBE.timeoutMs)]);
    this.failures = { database: database ? 0 : this.failures.database + 1, temporal: temporal ? 0 : this.failures.temporal + 1 };
    // Before the first verdict there is no history: a first failed probe counts as down at once.
    const down = (failures: number): boolean => failures >= (this.last ? HEALTH_PROBE.downAfterFailures : 1);
    this.last = {
      database: down(this.failures.database) ? 'down' : 'up',
      temporal: down(this.failures.temporal) ? 'down' : 'up',
      checkedAt: new Date().toISOString(),
    };
    return this.last;
  }

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), HEALTH_PROBE.timeoutMs).unref();
      });
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
