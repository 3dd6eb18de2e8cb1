import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleTicketWorkflows } from '@app/temporal';

/**
 * Recorded histories of real runs, replayed against the current workflow code. A change that would break
 * tickets already running (a nondeterministic edit without `patched()`) fails here, before it ships.
 * Record a new history with `RECORD_HISTORIES=1 npx jest test/workflows/ticket-workflow.time-skipping`.
 */
describe('workflow replay', () => {
  const directory = join(__dirname, '../histories');
  const files = readdirSync(directory).filter((file) => file.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s without a determinism error', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(directory, file), 'utf8')));
    const workflowBundle = await bundleTicketWorkflows(new DefaultLogger('WARN'));
    await expect(Worker.runReplayHistory({ workflowBundle }, history, file)).resolves.toBeUndefined();
  });
});
