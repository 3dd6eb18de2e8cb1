import { DefaultLogger } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import { temporalTestServerPath } from '@app/devstack';
import { CalendarDayEntity, dataSourceOptions } from '@app/persistence';
import { WorkCalendarService } from '@app/sla';
import { bundleTicketWorkflows } from '@app/temporal';
import { TicketActivitiesService } from '@app/tickets';
import { insertCompany } from './fixtures';
import { createTestDatabase, TestDatabase } from './test-env';

/** Temporal's time-skipping test server, the workflow bundle, and the real activities on a fresh PostgreSQL database with one company. */
export interface TimeSkippingStack {
  readonly env: TestWorkflowEnvironment;
  readonly bundle: { code: string };
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  readonly activities: TicketActivitiesService;
  readonly companyId: string;
  close(): Promise<void>;
}

export async function startTimeSkippingStack(): Promise<TimeSkippingStack> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  const bundle = await bundleTicketWorkflows(new DefaultLogger('WARN'));
  const database = await createTestDatabase();
  const dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
  const activities = new TicketActivitiesService(dataSource, new WorkCalendarService(dataSource.getRepository(CalendarDayEntity)));
  const companyId = (await insertCompany(dataSource, ['NANKAI'])).id;
  return {
    env,
    bundle,
    database,
    dataSource,
    activities,
    companyId,
    async close() {
      await env.teardown();
      await dataSource.destroy();
      await database.drop();
    },
  };
}
