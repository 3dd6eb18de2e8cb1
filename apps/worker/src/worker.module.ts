import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@app/config';
import { WorkerMetricsModule } from '@app/metrics';
import { PersistenceModule } from '@app/persistence';
import { TemporalClientModule } from '@app/temporal';
import { TicketActivitiesModule } from '@app/tickets';

/** The worker's application context: activities get their repositories by injection. */
@Module({})
export class WorkerModule {
  static register(config?: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule, TemporalClientModule, TicketActivitiesModule, WorkerMetricsModule],
    };
  }
}
