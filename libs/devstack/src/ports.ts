import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports handed out for stacks that stop and start their parts on the same port (the fault tier, the
 * cluster, `npm start`). A port free at the moment of asking is not enough: while a test has killed its
 * API, another test in a parallel jest worker could be handed the same free port and answer in its place
 * (CI once saw a 401 from another stack's API and a PostgreSQL that could not bind). So every port handed
 * out is reserved by a file naming the process that asked, and stays taken while that process lives.
 * Picks come from below the kernel's ephemeral range (32768–60999), so outgoing connections and port-0
 * listeners elsewhere cannot take them either.
 */
const PICK_LOW = 20_000;
const PICK_HIGH = 32_000;
const ATTEMPTS = 500;

export function portReservationDir(): string {
  return join(tmpdir(), 'hotline-port-reservations');
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => server.close(() => resolve(true)))
      .listen(port, host);
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the reservation of `port` for this process; false when a living process (this one included) holds it. */
function reserve(port: number): boolean {
  const dir = portReservationDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, String(port));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) return false;
      // The process that reserved it has gone: the reservation is stale.
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** Gives a port back (a stack that stops calls it; a process that dies releases its ports implicitly). */
export function releasePort(port: number): void {
  const file = join(portReservationDir(), String(port));
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // not reserved
  }
}

/**
 * `preferred` when it is free and not reserved, else a free unreserved port picked at random from 20000–32000;
 * reserved for this process either way (see above).
 */
export async function findFreePort(preferred?: number, host = '127.0.0.1'): Promise<number> {
  if (preferred && preferred < 65536 && (await isFree(preferred, host)) && reserve(preferred)) return preferred;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const port = PICK_LOW + Math.floor(Math.random() * (PICK_HIGH - PICK_LOW));
    if (!(await isFree(port, host))) continue;
    if (reserve(port)) return port;
  }
  throw new Error(`no free port between ${PICK_LOW} and ${PICK_HIGH} after ${ATTEMPTS} tries`);
}
