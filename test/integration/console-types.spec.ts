import { existsSync, readFileSync } from 'node:fs';
import { consoleTypesPath, consoleTypesText } from '../../scripts/console-types';
import { buildOpenApiDocument } from '../../scripts/openapi-document';
import { startTestSystem, TestSystem } from '../support/system';

const STALE = 'apps/console/src/api/schema.d.ts is stale: run npm run console:types';

/** The first line where two texts part, to say where a stale file went wrong. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  return `first difference at line ${at + 1}:\n  committed: ${a[at] ?? '<end of file>'}\n  generated: ${b[at] ?? '<end of file>'}`;
}

/** The console's API types are generated from the server's OpenAPI document, never copied by hand (issue 10). */
describe('console API types', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
  });

  afterAll(async () => {
    await system?.close();
  });

  it('are what npm run console:types generates from the current API', async () => {
    const path = consoleTypesPath();
    const committed = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const generated = await consoleTypesText();
    if (committed === undefined) throw new Error(`${STALE} (the file is missing)`);
    if (committed !== generated) throw new Error(`${STALE}\n${firstDifference(committed, generated)}`);
  });

  it('come from the very document the running API serves at /docs-json', async () => {
    const served = (await system.http().get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    const built = JSON.parse(JSON.stringify(await buildOpenApiDocument())) as typeof served;
    expect(Object.keys(built.paths).sort()).toEqual(Object.keys(served.paths).sort());
    expect(built).toEqual(served);
  });
});
