import request from 'supertest';
import type { App } from 'supertest/types';
import { loginAs, SignedIn } from '../support/auth';
import { ConsoleBrowser } from '../support/console-browser';
import { startApi, startTestSystem, TestSystem } from '../support/system';

/**
 * The HTTP edge's doors (issue 11): security headers and no X-Powered-By, no shared caching of personal
 * data, CORS closed unless configured, and a content security policy the console and Swagger UI live with.
 */
describe('HTTP edge: headers, caching, CORS', () => {
  let system: TestSystem;
  let withCors: TestSystem;
  let operator: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    withCors = await startApi({ ...system.config, corsOrigins: ['https://console.example.cn'] });
    operator = await loginAs(system, 'operator');
  });

  afterAll(async () => {
    await withCors?.close();
    await system?.close();
  });

  const http = (target: TestSystem) => request(target.app.getHttpServer() as App);

  it('sends security headers and no X-Powered-By on every answer', async () => {
    for (const path of ['/health', '/', '/tickets', '/docs-json']) {
      const response = await http(system).get(path);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    }
  });

  it('keeps answers with personal data out of shared caches, and lets hashed console files be cached', async () => {
    const tickets = await http(system).get('/tickets').set('Authorization', `Bearer ${operator.token}`).expect(200);
    expect(tickets.headers['cache-control']).toBe('no-store');
    expect((await http(system).post('/auth/login').send({ username: 'nobody', password: 'x' })).headers['cache-control']).toBe('no-store');
    const index = await http(system).get('/').expect(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = /\/assets\/[^"]+\.js/.exec(index.text)![0];
    expect((await http(system).get(asset).expect(200)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers no CORS headers unless the origin is configured', async () => {
    const foreign = await http(system).get('/health').set('Origin', 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http(system).options('/tickets').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    const allowed = await http(withCors).get('/health').set('Origin', 'https://console.example.cn');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.cn');
    expect(allowed.headers['access-control-expose-headers']).toContain('Content-Disposition');
    const other = await http(withCors).get('/health').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets the console and Swagger UI work under the content security policy', async () => {
    const browser = await ConsoleBrowser.start(system);
    try {
      const context = await browser.context();
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      await page.goto(`${browser.base}/`);
      await page.getByRole('button', { name: '登录' }).waitFor();
      await page.goto(`${browser.base}/docs`);
      await page.getByText('8890 heating hotline work orders').first().waitFor();
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  });
  it('keeps readiness at 200 through a burst of 2,000 checks, 16 at a time, without touching the database per check', async () => {
    const before = Number((await system.dataSource.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`))[0].xact_commit);
    const statuses: number[] = [];
    const next = { index: 0 };
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next.index < 2000) {
          next.index += 1;
          statuses.push((await http(system).get('/health')).status);
        }
      }),
    );
    const after = Number((await system.dataSource.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`))[0].xact_commit);
    expect(statuses).toHaveLength(2000);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // The background probe runs every 2 s: a handful of transactions, not one per check.
    expect(after - before).toBeLessThan(200);
    await http(system).get('/health/live').expect(200, { status: 'ok' });
  });
});
