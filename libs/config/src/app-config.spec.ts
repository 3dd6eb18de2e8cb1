import { ConfigError, knownEnvironmentVariables, loadConfig } from './app-config';

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
    });
  });

  it('converts numbers and booleans', () => {
    const config = loadConfig({ ...minimal, PORT: '8080', DATABASE_SSL: 'true', TEMPORAL_TLS: '1', WORKFLOW_START_SWEEP_SECONDS: '2' });
    expect(config.port).toBe(8080);
    expect(config.database.ssl).toBe(true);
    expect(config.temporal.tls).toEqual({ certPath: undefined, keyPath: undefined, caPath: undefined, serverName: undefined });
    expect(config.workflowStartSweepMs).toBe(2000);
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

  it('lists the variables it reads', () => {
    expect(knownEnvironmentVariables()).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PORT', 'TEMPORAL_NAMESPACE']));
  });
});
