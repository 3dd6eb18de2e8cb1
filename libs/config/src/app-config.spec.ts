import { ConfigError, knownEnvironmentVariables, loadConfig, resolveJwtSecret } from './app-config';

const minimal = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', TEMPORAL_ADDRESS: 'localhost:7233' };

describe('loadConfig', () => {
  it('fills the defaults', () => {
    expect(loadConfig(minimal)).toEqual({
      env: 'development',
      port: 3000,
      logLevel: 'log',
      database: { url: minimal.DATABASE_URL, poolSize: 10, ssl: false },
      temporal: { address: 'localhost:7233', namespace: 'default', taskQueue: 'tickets', tls: null, apiKey: undefined },
      workflowStartSweepMs: 5000,
      startWorkflowOnCreate: true,
      workerMetricsPort: null,
      workerSdkMetricsPort: null,
      workerWorkflowTasks: { slots: undefined, polls: undefined, sharedQueuePollShare: undefined },
      auth: { jwtSecret: undefined, tokenTtlSeconds: 28_800, adminUsername: undefined, adminPassword: undefined, bcryptRounds: 12 },
      workflowBundlePath: null,
      corsOrigins: [],
      shutdownDrainMs: 0,
      trustProxy: null,
    });
  });

  it('drains 5 s before closing in production and not at all elsewhere, unless SHUTDOWN_DRAIN_MS says', () => {
    expect(loadConfig({ ...minimal, NODE_ENV: 'production' }).shutdownDrainMs).toBe(5000);
    expect(loadConfig({ ...minimal, NODE_ENV: 'test' }).shutdownDrainMs).toBe(0);
    expect(loadConfig({ ...minimal, NODE_ENV: 'production', SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs).toBe(0);
    expect(loadConfig({ ...minimal, SHUTDOWN_DRAIN_MS: '15000' }).shutdownDrainMs).toBe(15_000);
    expect(() => loadConfig({ ...minimal, SHUTDOWN_DRAIN_MS: '-1' })).toThrow(/SHUTDOWN_DRAIN_MS \("-1"\)/);
    expect(() => loadConfig({ ...minimal, SHUTDOWN_DRAIN_MS: '2.5' })).toThrow(/SHUTDOWN_DRAIN_MS/);
    expect(() => loadConfig({ ...minimal, SHUTDOWN_DRAIN_MS: '600000' })).toThrow(/SHUTDOWN_DRAIN_MS/);
    expect(() => loadConfig({ ...minimal, SHUTDOWN_DRAIN_MS: '5s' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });

  it('starts workflows on create unless a benchmark turns it off, which production refuses', () => {
    expect(loadConfig({ ...minimal, WORKFLOW_START_ON_CREATE: 'false' }).startWorkflowOnCreate).toBe(false);
    expect(loadConfig({ ...minimal, WORKFLOW_START_ON_CREATE: 'true' }).startWorkflowOnCreate).toBe(true);
    expect(() => loadConfig({ ...minimal, WORKFLOW_START_ON_CREATE: 'no' })).toThrow(/WORKFLOW_START_ON_CREATE \("no"\)/);
    expect(() => loadConfig({ ...minimal, NODE_ENV: 'production', WORKFLOW_START_ON_CREATE: 'false' })).toThrow(/WORKFLOW_START_ON_CREATE.*never in production/);
    expect(loadConfig({ ...minimal, NODE_ENV: 'production', WORKFLOW_START_ON_CREATE: 'true' }).startWorkflowOnCreate).toBe(true);
  });

  it('reads CORS origins as a list, and refuses anything but origins', () => {
    expect(loadConfig({ ...minimal, CORS_ORIGINS: 'https://console.example.cn, http://localhost:5173' }).corsOrigins).toEqual(['https://console.example.cn', 'http://localhost:5173']);
    expect(() => loadConfig({ ...minimal, CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ ...minimal, CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
    // TRUST_PROXY: which proxies' X-Forwarded-For names the client (the login throttle's address behind a balancer).
    expect(loadConfig(minimal).trustProxy).toBeNull();
    expect(loadConfig({ ...minimal, TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ ...minimal, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...minimal, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ ...minimal, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ ...minimal, TRUST_PROXY: '*' })).toThrow(/TRUST_PROXY/);
  });

  it('converts numbers and booleans', () => {
    const config = loadConfig({ ...minimal, PORT: '8080', DATABASE_SSL: 'true', TEMPORAL_TLS: '1', WORKFLOW_START_SWEEP_SECONDS: '2' });
    expect(config.port).toBe(8080);
    expect(config.database.ssl).toBe(true);
    expect(config.temporal.tls).toEqual({ certPath: undefined, keyPath: undefined, caPath: undefined, serverName: undefined });
    expect(config.workflowStartSweepMs).toBe(2000);
  });

  it('reads the worker metrics port, and refuses one out of range', () => {
    expect(loadConfig({ ...minimal, WORKER_METRICS_PORT: '9464' }).workerMetricsPort).toBe(9464);
    expect(() => loadConfig({ ...minimal, WORKER_METRICS_PORT: '0' })).toThrow(/WORKER_METRICS_PORT \("0"\)/);
    expect(() => loadConfig({ ...minimal, WORKER_METRICS_PORT: '70000' })).toThrow(/WORKER_METRICS_PORT/);
    expect(loadConfig({ ...minimal, WORKER_MAX_CACHED_WORKFLOWS: '500' }).workerMaxCachedWorkflows).toBe(500);
    expect(loadConfig(minimal).workerMaxCachedWorkflows).toBeUndefined();
    expect(() => loadConfig({ ...minimal, WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ ...minimal, WORKER_METRICS_PORT: 'metrics' })).toThrow(/WORKER_METRICS_PORT/);
    expect(loadConfig({ ...minimal, WORKER_SDK_METRICS_PORT: '9465' }).workerSdkMetricsPort).toBe(9465);
    expect(() => loadConfig({ ...minimal, WORKER_SDK_METRICS_PORT: '0' })).toThrow(/WORKER_SDK_METRICS_PORT/);
  });

  it('reads the worker workflow-task concurrency, and refuses more polls than slots', () => {
    const tasks = loadConfig({ ...minimal, WORKER_WORKFLOW_TASK_SLOTS: '100', WORKER_WORKFLOW_TASK_POLLS: '20', WORKER_SHARED_QUEUE_POLL_SHARE: '0.5' }).workerWorkflowTasks;
    expect(tasks).toEqual({ slots: 100, polls: 20, sharedQueuePollShare: 0.5 });
    expect(() => loadConfig({ ...minimal, WORKER_WORKFLOW_TASK_POLLS: '50' })).toThrow(/WORKER_WORKFLOW_TASK_POLLS \("50"\): at most WORKER_WORKFLOW_TASK_SLOTS \("40"\)/);
    expect(() => loadConfig({ ...minimal, WORKER_SHARED_QUEUE_POLL_SHARE: '2' })).toThrow(/WORKER_SHARED_QUEUE_POLL_SHARE/);
    expect(() => loadConfig({ ...minimal, WORKER_WORKFLOW_TASK_SLOTS: '1' })).toThrow(/WORKER_WORKFLOW_TASK_SLOTS/);
  });

  it('names every missing variable', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(/DATABASE_URL \(missing\)[\s\S]*TEMPORAL_ADDRESS \(missing\)/);
  });

  it('names a wrong value and shows it', () => {
    expect(() => loadConfig({ ...minimal, PORT: 'eighty' })).toThrow(/PORT \("eighty"\)/);
    expect(() => loadConfig({ ...minimal, TEMPORAL_ADDRESS: 'http://x' })).toThrow(/TEMPORAL_ADDRESS/);
    expect(() => loadConfig({ ...minimal, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...minimal, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('wants a TLS certificate and key together', () => {
    expect(() => loadConfig({ ...minimal, TEMPORAL_TLS_CERT_PATH: '/c.pem' })).toThrow(/TEMPORAL_TLS_KEY_PATH/);
  });

  it('reads the auth settings, lower-casing the admin name', () => {
    const config = loadConfig({
      ...minimal,
      JWT_SECRET: 'x'.repeat(32),
      JWT_TTL_SECONDS: '600',
      ADMIN_USERNAME: 'Root.Admin',
      ADMIN_PASSWORD: 'correct horse battery',
      BCRYPT_ROUNDS: '4',
    });
    expect(config.auth).toEqual({
      jwtSecret: 'x'.repeat(32),
      tokenTtlSeconds: 600,
      adminUsername: 'root.admin',
      adminPassword: 'correct horse battery',
      bcryptRounds: 4,
    });
  });

  it('refuses weak or out-of-range auth settings, naming each', () => {
    expect(() => loadConfig({ ...minimal, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET \("short"\): JWT_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ ...minimal, ADMIN_PASSWORD: 'elevenchars' })).toThrow(/ADMIN_PASSWORD .*at least 12 characters/);
    expect(() => loadConfig({ ...minimal, ADMIN_PASSWORD: '密'.repeat(25) })).toThrow(/ADMIN_PASSWORD: at most 72 bytes/);
    expect(() => loadConfig({ ...minimal, ADMIN_USERNAME: 'a b' })).toThrow(/ADMIN_USERNAME/);
    expect(() => loadConfig({ ...minimal, BCRYPT_ROUNDS: '3' })).toThrow(/BCRYPT_ROUNDS/);
    expect(() => loadConfig({ ...minimal, BCRYPT_ROUNDS: '16' })).toThrow(/BCRYPT_ROUNDS/);
    expect(() => loadConfig({ ...minimal, JWT_TTL_SECONDS: 'forever' })).toThrow(/JWT_TTL_SECONDS/);
  });

  it('checks the first indoor standard within 10..30 °C (its migration reads it)', () => {
    expect(() => loadConfig({ ...minimal, ROOM_TEMPERATURE_STANDARD: '16.5' })).not.toThrow();
    expect(() => loadConfig({ ...minimal, ROOM_TEMPERATURE_STANDARD: '9.9' })).toThrow(/ROOM_TEMPERATURE_STANDARD/);
    expect(() => loadConfig({ ...minimal, ROOM_TEMPERATURE_STANDARD: '31' })).toThrow(/ROOM_TEMPERATURE_STANDARD/);
    expect(() => loadConfig({ ...minimal, ROOM_TEMPERATURE_STANDARD: 'warm' })).toThrow(/ROOM_TEMPERATURE_STANDARD/);
  });

  describe('resolveJwtSecret', () => {
    it('uses JWT_SECRET when set', () => {
      const config = loadConfig({ ...minimal, NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) });
      expect(resolveJwtSecret(config)).toEqual({ secret: 's'.repeat(40), generated: false });
    });

    it('makes a random per-process secret outside production, and says so', () => {
      const first = resolveJwtSecret(loadConfig(minimal));
      const second = resolveJwtSecret(loadConfig(minimal));
      expect(first.generated).toBe(true);
      expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
      expect(second.secret).not.toBe(first.secret);
    });

    it('refuses to run in production without one, naming the variable', () => {
      const config = loadConfig({ ...minimal, NODE_ENV: 'production' });
      expect(() => resolveJwtSecret(config)).toThrow(ConfigError);
      expect(() => resolveJwtSecret(config)).toThrow(/JWT_SECRET \(missing\)/);
    });
  });

  it('reads the prebuilt workflow bundle path, refusing one that does not exist', () => {
    expect(loadConfig(minimal).workflowBundlePath).toBeNull();
    expect(loadConfig({ ...minimal, WORKFLOW_BUNDLE_PATH: __filename }).workflowBundlePath).toBe(__filename);
    expect(() => loadConfig({ ...minimal, WORKFLOW_BUNDLE_PATH: '/nonexistent/workflow-bundle.js' })).toThrow(/WORKFLOW_BUNDLE_PATH .*no such file/);
  });

  it('lists the variables it reads', () => {
    expect(knownEnvironmentVariables()).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PORT', 'TEMPORAL_NAMESPACE', 'JWT_SECRET', 'JWT_TTL_SECONDS', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'BCRYPT_ROUNDS', 'ROOM_TEMPERATURE_STANDARD', 'WORKFLOW_BUNDLE_PATH', 'SHUTDOWN_DRAIN_MS']));
  });
});
