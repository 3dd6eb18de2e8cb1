import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { RepeatCalls } from './repeat-calls.service';
import { TicketLifecycleStarter } from './ticket-lifecycle-starter.service';

/**
 * Runs in the worker: every few seconds, starts the workflows of committed tickets whose start did not go
 * through (Temporal down, API killed between commit and start), then delivers the recorded repeat calls
 * that must reopen a closed ticket. Several workers may sweep at once: the ticket-derived workflow id makes
 * a duplicate start harmless, and a repeat call delivered twice reopens once (the second finds it open).
 */
@Injectable()
export class LifecycleStartSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LifecycleStartSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly starter: TicketLifecycleStarter,
    private readonly repeatCalls: RepeatCalls,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.workflowStartSweepMs;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.starter
        .startPending(every)
        .then(() => this.repeatCalls.deliverPending())
        .catch((error: Error) => this.logger.error(`Sweep failed: ${error.message}`))
        .finally(() => (this.running = undefined));
    }, every);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
