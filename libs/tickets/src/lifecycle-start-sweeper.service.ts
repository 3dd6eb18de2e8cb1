import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { TicketWorkflowStarter } from './lifecycle-starter.service';

/**
 * Runs in the worker: every few seconds, starts the workflows of committed tickets whose start did not go
 * through (Temporal down, API killed between commit and start). Several workers may sweep at once; the
 * ticket-derived workflow id makes duplicate starts harmless.
 */
@Injectable()
export class WorkflowStartSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkflowStartSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly starter: TicketWorkflowStarter,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.workflowStartSweepMs;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.starter
        .startPending(every)
        .catch((error: Error) => this.logger.error(`Sweep failed: ${error.message}`))
        .finally(() => (this.running = undefined));
    }, every);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
