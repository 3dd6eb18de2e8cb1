import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { knownEnvironmentVariables, loadConfig } from '@app/config';

/**
 * No Docker engine runs here, so the production files are checked statically: the compose file parses,
 * every image it builds comes from our Dockerfile's real targets, the paths the Dockerfile runs exist in
 * the build output, and the app environment it sets is exactly what the config validation accepts.
 */
const root = join(__dirname, '../..');
const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: { context: string; dockerfile: string; target: string }; environment?: Record<string, unknown>; command?: string[]; depends_on?: Record<string, unknown> }>;
};
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const appServices = Object.entries(compose.services).filter(([, service]) => service.build);

/** Resolves compose's ${VAR:?message} and ${VAR:-default} with a stand-in value, as `docker compose config` would. */
function interpolate(value: unknown): string {
  return String(value).replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, fallback?: string) =>
    kind === '-' ? (fallback ?? '') : `stand-in-value-for-${name.toLowerCase()}-0123456789abcdef`,
  );
}

describe('docker/ deployment files', () => {
  it('builds the API, the worker and the migration from targets that exist', () => {
    const targets = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1]);
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [, service] of appServices) {
      expect(service.build?.context).toBe('..');
      expect(existsSync(join(root, 'docker', service.build!.context, service.build!.dockerfile))).toBe(true);
      expect(targets).toContain(service.build?.target);
    }
  });

  it('runs entry points that the build produces from real sources', () => {
    const entries = [...dockerfile.matchAll(/"node", "(dist\/[^"]+)\.js"/g), ...appServices.flatMap(([, s]) => [...(s.command ?? []).join(' ').matchAll(/(dist\/\S+)\.js/g)])].map(
      (match) => match[1],
    );
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(existsSync(join(root, `${entry.replace(/^dist\//, '')}.ts`))).toBe(true);
    // The image carries the compiled code, the work console (served at /) and the workflow bundle.
    expect(dockerfile).toMatch(/npm run build && npm run console:build && npm run build:workflows/);
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts['console:build']).toContain('apps/console/vite.config.ts');
    expect(existsSync(join(root, 'apps/console/vite.config.ts'))).toBe(true);
    expect(scripts['build:workflows']).toContain('dist/scripts/build-workflow-bundle.js');
    expect(existsSync(join(root, 'scripts/build-workflow-bundle.ts'))).toBe(true);
  });

  it.each(appServices.map(([name]) => name))('gives %s an environment the config validation accepts, with no unknown variable', (name) => {
    const environment = Object.fromEntries(
      Object.entries(compose.services[name].environment ?? {}).map(([key, value]) => [key, interpolate(value)]),
    );
    const known = knownEnvironmentVariables();
    expect(Object.keys(environment).filter((key) => !known.includes(key))).toEqual([]);
    const config = loadConfig(environment);
    expect(config.database.url).toContain('@postgres:5432/hotline');
    expect(config.temporal.address).toBe('temporal:7233');
    if (name === 'api') expect(environment.JWT_SECRET).toMatch(/^stand-in-value-for-jwt_secret/);
  });

  it('starts PostgreSQL, Temporal on PostgreSQL and the Temporal UI', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui']));
    expect(compose.services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(compose.services['temporal-ui'].environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
  });
});
