import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { knownEnvironmentVariables, loadConfig } from '@app/config';
import { haproxyConfig } from '../../scripts/cluster';

/**
 * No Docker engine runs here, so the production files are checked statically: the compose file parses,
 * every image it builds comes from our Dockerfile's real targets, the paths the Dockerfile runs exist in
 * the build output, and the app environment it sets is exactly what the config validation accepts.
 */
const root = join(__dirname, '../..');
const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: { context: string; dockerfile: string; target: string };
      environment?: Record<string, unknown>;
      command?: string[];
      depends_on?: Record<string, unknown> | string[];
      volumes?: string[];
      deploy?: { replicas?: number };
    }
  >;
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
    expect(config.temporal.address).toBe('temporal-frontend:7233');
    if (name === 'api') expect(environment.JWT_SECRET).toMatch(/^stand-in-value-for-jwt_secret/);
  });

  it('runs the real Temporal server (not auto-setup) as four services on PostgreSQL, after a schema job, at the pinned version', () => {
    const pinned = (JSON.parse(readFileSync(join(root, 'scripts/temporal-server-version.json'), 'utf8')) as { server: string }).server.replace(/^v/, '');
    const images = Object.values(compose.services).map((service) => service.image ?? '');
    expect(images.filter((image) => image.includes('auto-setup'))).toEqual([]);
    for (const role of ['history', 'matching', 'frontend', 'worker']) {
      const service = compose.services[`temporal-${role}`];
      expect(service.image).toBe(`temporalio/server:${pinned}`);
      expect(service.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', TEMPORAL_SERVICES: role, DBNAME: 'temporal', VISIBILITY_DBNAME: 'temporal_visibility' });
      expect(service.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    }
    const schema = compose.services['temporal-schema'];
    expect(schema.image).toBe(`temporalio/admin-tools:${pinned}`);
    const script = (schema.command ?? []).join('\n');
    // The schema job does what startTemporalCluster does: create when missing, set up, update to the newest.
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/$$schema/versioned']) expect(script).toContain(step);
    expect(compose.services['temporal-namespace'].image).toBe(`temporalio/admin-tools:${pinned}`);
    expect((compose.services['temporal-namespace'].command ?? []).join(' ')).toContain('namespace create -n default');
    for (const app of ['api', 'worker']) expect(compose.services[app].depends_on).toMatchObject({ 'temporal-namespace': { condition: 'service_completed_successfully' } });
    expect(compose.services['temporal-ui'].environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal-frontend:7233' });
  });

  it('puts 2 API replicas and 2 workers behind HAProxy, whose config HAProxy itself accepts, as start:cluster does', () => {
    expect(compose.services.api.deploy?.replicas).toBe(2);
    expect(compose.services.worker.deploy?.replicas).toBe(2);
    expect(compose.services.balancer.image).toMatch(/^haproxy:/);
    expect(compose.services.balancer.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const haproxy = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';
    const template = readFileSync(join(root, 'docker/haproxy.cfg'), 'utf8');
    expect(template).toMatch(/option httpchk GET \/health\n/);
    expect(template).toMatch(/server-template api \d+-\d+ api:3000 check resolvers docker/);
    const dir = mkdtempSync(join(tmpdir(), 'hotline-haproxy-'));
    const local = join(dir, 'cluster.cfg');
    writeFileSync(local, haproxyConfig(template, 3700, [{ name: 'api-1', port: 3711 }, { name: 'api-2', port: 3712 }]));
    for (const file of [join(root, 'docker/haproxy.cfg'), local]) expect(execFileSync(haproxy, ['-c', '-f', file], { encoding: 'utf8' })).toContain('Configuration file is valid');
    expect(readFileSync(local, 'utf8')).toContain('  server api-2 127.0.0.1:3712 check');
  });
});
