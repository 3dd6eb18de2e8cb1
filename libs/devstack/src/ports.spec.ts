import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, portReservationDir, releasePort } from './ports';

describe('findFreePort', () => {
  it('never hands out a port a living process has reserved, even while nothing listens on it', async () => {
    const first = await findFreePort();
    expect(readFileSync(join(portReservationDir(), String(first)), 'utf8')).toBe(String(process.pid));
    // Nothing listens on `first`, as while a test has killed its API: it is still not handed out again.
    const again = await findFreePort(first);
    expect(again).not.toBe(first);
    releasePort(first);
    releasePort(again);
    expect(existsSync(join(portReservationDir(), String(first)))).toBe(false);
  });

  it('takes over the reservation of a process that has gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const port = 31_999;
    mkdirSync(portReservationDir(), { recursive: true });
    writeFileSync(join(portReservationDir(), String(port)), gone.stdout);
    expect(await findFreePort(port)).toBe(port);
    releasePort(port);
  });

  it('picks below the ephemeral range, where the kernel hands out no ports of its own', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
      releasePort(port);
    }
  });
});
