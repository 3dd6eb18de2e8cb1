import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What scripts/temporal-server.mjs builds or finds in the per-user cache. */
export interface TemporalServerPaths {
  readonly version: string;
  readonly dir: string;
  readonly binDir: string;
  readonly server: string;
  readonly sqlTool: string;
  readonly schemaDir: string;
}

/** scripts/temporal-server.mjs is ESM and dependency-free; compiled CommonJS reaches it with import(). */
export async function ensureTemporalServer(root: string): Promise<TemporalServerPaths> {
  const module = (await import(pathToFileURL(join(root, 'scripts', 'temporal-server.mjs')).href)) as { ensureTemporalServer(): Promise<TemporalServerPaths> };
  return module.ensureTemporalServer();
}
