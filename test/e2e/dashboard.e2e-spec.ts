/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { authed, createUser, loginAs, SignedIn, TestUser } from '../support/auth';
import { insertCompany, insertPolicyVersion, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

/**
 * The supervisor dashboard in a real headless Chromium (Debian's, driven by playwright-core): sign in,
 * watch an overdue ticket appear in the live list, see the charts, the league table and the notices.
 */
describe('supervisor dashboard in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let page: Page;
  let base: string;
  let supervisor: TestUser;
  let operator: SignedIn;
  let crew: SignedIn;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];
  const companyName = '<b>南开热力</b> & 演示';

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI'], { name: companyName });
    supervisor = await createUser(system, 'supervisor');
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    await system.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((system.app.getHttpServer() as unknown as Server).address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) foreignRequests.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('refuses a wrong password on the sign-in form', async () => {
    await page.goto(`${base}/dashboard?refresh=1`);
    await page.fill('input[name=username]', supervisor.username);
    await page.fill('input[name=password]', 'not the password');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => (document.querySelector('#login-error')?.textContent ?? '').length > 0);
    expect(await page.isVisible('#board')).toBe(false);
  });

  it('signs in, shows an overdue ticket appearing live, the charts, league table and notices', async () => {
    await page.goto(`${base}/dashboard?refresh=1`);
    await page.fill('input[name=username]', supervisor.username);
    await page.fill('input[name=password]', supervisor.password);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#board:not([hidden])');
    await page.waitForFunction(() => document.body.dataset.refreshed !== undefined);

    // A leak under a seconds-long policy, accepted but never contacted: overdue within seconds.
    await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT1H', contact: 'PT2S', visit: 'PT1H', reply: 'PT1H' });
    const ticket = (await authed(system, operator.token).post('/tickets').send(ticketBody({ category: 'LEAK' })).expect(201)).body;
    await authed(system, crew.token).post(`/tickets/${ticket.id}/accept`).expect(200);
    const row = await page.waitForSelector(`#overdue tr[data-ticket="${ticket.number}"]`, { timeout: 60_000 });
    expect(await row.textContent()).toContain(companyName); // as text: the markup in the name is not rendered
    expect(await page.locator('#overdue b').count()).toBe(0);

    await page.waitForFunction((number) => (document.querySelector('#notices')?.textContent ?? '').includes(number), ticket.number, { timeout: 60_000 });
    await page.waitForFunction((name) => (document.querySelector('#league')?.textContent ?? '').includes(name), companyName, { timeout: 30_000 });
    const charts = await page.evaluate(() => {
      const chartApi = (window as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[] } } | undefined } }).Chart;
      return ['by-day', 'by-district'].map((id) => chartApi.getChart(id)?.data.labels.length ?? -1);
    });
    expect(charts.every((labels) => labels > 0)).toBe(true);

    mkdirSync(join(__dirname, '../../test-output'), { recursive: true });
    await page.screenshot({ path: join(__dirname, '../../test-output/dashboard.png'), fullPage: true });
    expect((await page.textContent('#board-error'))?.trim()).toBe('');
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]); // Chart.js and everything else come from the API itself
    await authed(system, operator.token).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
  });

  it('serves the page and its assets without login', async () => {
    const html = await system.http().get('/dashboard').expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('/dashboard/chart.umd.js');
    const chartJs = await system.http().get('/dashboard/chart.umd.js').expect(200);
    expect(chartJs.headers['content-type']).toMatch(/javascript/);
    expect(chartJs.text.length).toBeGreaterThan(100_000);
  });
});
