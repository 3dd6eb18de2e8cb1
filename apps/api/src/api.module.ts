import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { CompaniesModule } from '@app/companies';
import { AppConfig, ConfigModule } from '@app/config';
import { ConsoleModule } from '@app/console';
import { DashboardModule } from '@app/dashboard';
import { EscalationsModule } from '@app/escalations';
import { HealthModule } from '@app/health';
import { MetricsHttpModule } from '@app/metrics';
import { PersistenceModule } from '@app/persistence';
import { ReportsModule } from '@app/reports';
import { TemporalClientModule } from '@app/temporal';
import { TicketsModule } from '@app/tickets';

@Module({})
export class ApiModule {
  /** `config` is for tests; the real app validates process.env. */
  static register(config?: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        TemporalClientModule,
        AuthModule,
        CompaniesModule,
        TicketsModule,
        EscalationsModule,
        ReportsModule,
        DashboardModule,
        ConsoleModule,
        HealthModule,
        MetricsHttpModule,
      ],
    };
  }
}
