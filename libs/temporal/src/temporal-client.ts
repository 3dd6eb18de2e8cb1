import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { temporalConnectionOptions } from './connection-options';

/**
 * The one Temporal client of a process. The connection is lazy: the API boots and keeps taking
 * tickets while Temporal is down (their workflows start later), and /health reports the outage.
 */
@Injectable()
export class TemporalClient extends Client implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      connection: Connection.lazy(temporalConnectionOptions(config.temporal)),
      namespace: config.temporal.namespace,
    });
  }

  /** True when the frontend answers within `timeoutMs`. */
  async isReachable(timeoutMs = 2000): Promise<boolean> {
    try {
      await this.connection.withDeadline(Date.now() + timeoutMs, () =>
        this.connection.workflowService.getSystemInfo({}),
      );
      return true;
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
