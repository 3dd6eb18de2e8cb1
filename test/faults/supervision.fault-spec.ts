import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { ticketBody } from '../support/fixtures';
import { HttpClient, staffCompany, StaffedCompany } from '../support/http-client';
import { isRunning, RunningStack, startStack } from '../support/stack-process';
import { eventually } from '../support/system';

// Fault tier: `npm start`'s stack (node dist/scripts/stack.js) restarts a worker or an API that died, and
// stops everything, saying why, when one is in a crash loop.
jest.setTimeout(300_000);

/** An hour: every crash this file causes falls in one window, however slowly a loaded machine restarts the worker. */
const CRASH_LOOP_WINDOW_MS = 3_600_000;

describe('the embedded stack supervises the API and the worker', () => {
  let stack: RunningStack;
  let staff: StaffedCompany;
  /** Worker crashes so far: all fall in the crash-loop window. */
  let workerCrashes = 0;

  beforeAll(async () => {
    stack = await startStack({ env: { STACK_CRASH_LOOP_WINDOW_MS: String(CRASH_LOOP_WINDOW_MS) } });
    staff = await staffCompany(new HttpClient(stack.baseUrl), stack.admin);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** A new ticket, accepted by the crew: 200 only once a worker has run the accept Update (503 means nothing changed yet). */
  async function createAndAccept(): Promise<{ id: string; status: string }> {
    const ticket = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody())).body;
    return eventually(
      async () => {
        const answer = await staff.crew.post(`/tickets/${ticket.id}/accept`);
        if (answer.status === 503) return undefined;
        expect(answer.status).toBe(200);
        return answer.body as { id: string; status: string };
      },
      60_000,
      'the accept applied by a worker',
    );
  }

  /** The pid stack.json gives for `role` once it is not `old` any more. */
  function newPid(role: 'api' | 'worker', old: number): Promise<number> {
    return eventually(async () => {
      const pid = stack.pid(role);
      return pid !== undefined && pid !== old ? pid : undefined;
    }, 60_000, `a new ${role} pid in stack.json`);
  }

  it('describes what runs where in DATA_DIR/stack.json, readable by its owner only', async () => {
    const info = stack.info()!;
    expect(statSync(stack.stackFilePath).mode & 0o777).toBe(0o600);
    expect(info).toEqual({
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      databaseUrl: expect.stringMatching(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/hotline$/),
      temporalAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      namespace: 'default',
      port: stack.port,
      processes: [
        { role: 'postgres', pid: expect.any(Number), port: expect.any(Number) },
        { role: 'temporal', pid: expect.any(Number), port: Number(info.temporalAddress.split(':')[1]) },
        { role: 'worker', pid: expect.any(Number), port: expect.any(Number) },
        { role: 'api', pid: expect.any(Number), port: stack.port },
      ],
    });
    for (const entry of info.processes) expect({ role: entry.role, running: isRunning(entry.pid) }).toEqual({ role: entry.role, running: true });
    // PostgreSQL's pid is the postmaster's, and the URL (password included) opens the database.
    expect(stack.pid('postgres')).toBe(Number(readFileSync(join(stack.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]));
    const client = new PgClient({ connectionString: info.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ port: string }>("SELECT current_setting('port') AS port");
      expect(Number(rows[0].port)).toBe(info.processes.find((entry) => entry.role === 'postgres')!.port);
    } finally {
      await client.end();
    }
  });

  it('restarts a SIGKILLed worker after a second, and the new one runs the workflows', async () => {
    const killed = stack.pid('worker')!;
    const mark = stack.output.mark();
    process.kill(killed, 'SIGKILL');
    workerCrashes += 1;
    await stack.node.waitFor(/\[stack\] worker exited \(SIGKILL\); restarting in 1 s \(restart 1\)/, mark);
    const worker = await newPid('worker', killed);
    expect(isRunning(killed)).toBe(false);
    await stack.node.waitFor(new RegExp(`\\[Nest\\] ${worker} .*Worker polling task queue`), mark);
    expect(stack.node.exitStatus).toBeUndefined();

    const accepted = await createAndAccept();
    expect(accepted.status).toBe('ACCEPTED');
  });

  it('restarts a SIGKILLed API on the same port, with the same signing key', async () => {
    const killed = stack.pid('api')!;
    const ticket = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody())).body;
    const mark = stack.output.mark();
    process.kill(killed, 'SIGKILL');
    await stack.node.waitFor(/\[stack\] api exited \(SIGKILL\); restarting in 1 s \(restart 1\)/, mark);
    const api = await newPid('api', killed);
    await eventually(async () => ((await fetch(`${stack.baseUrl}/health`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 'GET /health 200 again');
    expect(stack.pid('api')).toBe(api);
    // Tokens signed before the restart still work (DATA_DIR/jwt-secret), and the work goes on.
    expect((await staff.operator.expect(200, 'GET', `/tickets/${ticket.id}`)).body.id).toBe(ticket.id);
    expect((await createAndAccept()).status).toBe('ACCEPTED');
  });

  it('stops everything, naming the worker and pointing at its output, when the worker is in a crash loop', async () => {
    const mark = stack.output.mark();
    const before = stack.info()!;
    // Killed each time it comes back, until the stack gives up (the earlier kill counts: one window).
    const killed = new Set<number>();
    const exit = await eventually(
      async () => {
        if (stack.node.exitStatus) return stack.node.exitStatus;
        const pid = stack.pid('worker');
        if (pid !== undefined && !killed.has(pid) && isRunning(pid)) {
          killed.add(pid);
          process.kill(pid, 'SIGKILL');
        }
        return undefined;
      },
      180_000,
      'the stack stopping',
    );
    const output = stack.output.all().slice(mark);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(killed.size).toBe(5 - workerCrashes);
    expect(output).toMatch(
      /\[stack\] worker exited \(SIGKILL\), its crash 5 within 3600 s: a crash loop\. It is not restarted again and the stack stops\. Its output is above \(the lines without \[stack\]\); its last \d+ lines:\n(\[stack\] {3}worker \| .*\n)+/,
    );
    expect(output).toMatch(/\[stack\] stopped: worker is in a crash loop \(5 crashes within 3600 s, the last: SIGKILL\); its output is above\n$/);

    // Restarted until then, the back-off doubling each time (the first of these may wait 1 s again rather than
    // 2: a worker restarted by an earlier test that ran 30 s counts as having started properly).
    const backoffs = [...output.matchAll(/\[stack\] worker exited \(SIGKILL\); restarting in (\d+) s \(restart (\d+)\)/g)].map((match) => ({
      seconds: Number(match[1]),
      restart: Number(match[2]),
    }));
    expect(backoffs.map((entry) => entry.restart)).toEqual([1, 2, 3, 4].slice(workerCrashes));
    expect(workerCrashes === 0 ? [1] : [1, 2]).toContain(backoffs[0].seconds);
    expect(backoffs.map((entry) => entry.seconds)).toEqual(backoffs.map((_, index) => backoffs[0].seconds * 2 ** index));

    // Everything it started has stopped, and the file that named it is gone.
    expect(stack.info()).toBeUndefined();
    for (const entry of before.processes) expect({ role: entry.role, running: isRunning(entry.pid) }).toEqual({ role: entry.role, running: false });
    expect(output).toMatch(/\[stack\] api stopped[\s\S]*\[stack\] Temporal stopped[\s\S]*\[stack\] PostgreSQL stopped/);
  });
});
