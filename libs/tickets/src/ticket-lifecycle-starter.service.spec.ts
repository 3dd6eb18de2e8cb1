import type { Repository } from 'typeorm';
import type { AppConfig } from '@app/config';
import type { HotlineMetrics } from '@app/metrics';
import type { TicketEntity } from '@app/persistence';
import type { TemporalClient } from '@app/temporal';
import { TicketLifecycleStarter } from './ticket-lifecycle-starter.service';

/** WORKFLOW_START_ON_CREATE (benchmarks only): whether a create starts its workflow itself. */
describe('TicketLifecycleStarter.startCreated', () => {
  const ticket = { id: '9b1c7f3e-0d2a-4c55-9a71-5f2e8d4c3b10', number: 'T-1' } as TicketEntity;
  const starterWith = (config: Partial<AppConfig>): TicketLifecycleStarter =>
    new TicketLifecycleStarter(config as AppConfig, {} as Repository<TicketEntity>, {} as TemporalClient, {} as HotlineMetrics);

  it('leaves the start to the sweeper when switched off, touching neither Temporal nor the row', async () => {
    const starter = starterWith({ startWorkflowOnCreate: false });
    const tryStart = jest.spyOn(starter, 'tryStart');
    await expect(starter.startCreated(ticket)).resolves.toBe(false);
    expect(tryStart).not.toHaveBeenCalled();
  });

  it('starts at once when on, or when a configuration built by hand leaves it out', async () => {
    for (const config of [{ startWorkflowOnCreate: true }, {}]) {
      const starter = starterWith(config);
      const tryStart = jest.spyOn(starter, 'tryStart').mockResolvedValue(true);
      await expect(starter.startCreated(ticket)).resolves.toBe(true);
      expect(tryStart).toHaveBeenCalledWith(ticket);
    }
  });
});
