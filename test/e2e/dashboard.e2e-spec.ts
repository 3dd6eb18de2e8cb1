/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CALENDAR_ZONE, DISTRICT_NAMES_ZH, DISTRICTS, ESCALATION_LEVELS } from '@app/domain';
import { authed, createUser, loginAs, SignedIn, TestUser } from '../support/auth';
import { insertCompany, insertPolicyVersion, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { ConsoleBrowser, submitSignIn } from '../support/console-browser';
import { startTestSystem, TestSystem } from '../support/system';

const OUTPUT = join(__dirname, '..', '..', 'test-output');

/** An instant as the console shows it (format.ts): Asia/Shanghai, whatever the browser's zone. */
const shanghai = (iso: string): string =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: CALENDAR_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));

/** What every panel of the board says about its data (empty: nothing wrong), by panel name. */
function errorTexts(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => ({
    ...Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('[data-panel]')].map((panel) => [panel.dataset.panel, (panel.querySelector('.panel-error')?.textContent ?? '').trim()]),
    ),
    queues: (document.querySelector('.queues-error')?.textContent ?? '').trim(),
  }));
}

/** No English in what users read. */
function expectNoEnglish(texts: Record<string, string>): void {
  expect(Object.entries(texts).filter(([, text]) => /[A-Za-z]/.test(text))).toEqual([]);
}

/** Whether a canvas has anything drawn on it (Chart.js drew the bars, axes and legend). */
const drawn = (page: Page, chart: string): Promise<boolean> =>
  page.evaluate((name) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="${name}"] canvas`);
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let index = 3; index < pixels.length; index += 4) if (pixels[index] !== 0) return true;
    return false;
  }, chart);

/**
 * The supervisor dashboard, now a page of the work console (`/#/dashboard`; the old address `/dashboard`
 * redirects there), in a real headless Chromium (Debian's, driven by playwright-core): sign in, watch an
 * overdue ticket appear in the live list, see the charts, the league table, warnings and notices, and
 * follow a number to the tickets behind it; a failing panel says so in Chinese and recovers.
 */
describe('supervisor dashboard in Chromium', () => {
  let system: TestSystem;
  let browser: ConsoleBrowser;
  let supervisor: TestUser;
  let operator: SignedIn;
  let crew: SignedIn;
  let companyId: string;
  const companyName = '<b>南开热力</b> & 演示';

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI'], { name: companyName });
    companyId = company.id;
    supervisor = await createUser(system, 'supervisor');
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    browser = await ConsoleBrowser.start(system);
    mkdirSync(OUTPUT, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  /** A wall screen's browser, taller than a desk's. */
  const BOARD = { viewport: { width: 1280, height: 1000 } };

  /** Opens the old address and signs in on the console's form it leads to. */
  const signedInBoard = (user: TestUser) => browser.signedIn(user, '/dashboard?refresh=1', BOARD);

  const overdueRow = (page: Page, number: string) => page.locator('[data-panel="overdue"] tr.el-table__row', { hasText: number });

  it('answers the old address with a redirect to the console page, keeping ?refresh; the old page files are gone', async () => {
    const plain = await system.http().get('/dashboard').expect(302);
    expect(plain.headers.location).toBe('/#/dashboard');
    expect((await system.http().get('/dashboard?refresh=5').expect(302)).headers.location).toBe('/#/dashboard?refresh=5');
    expect((await system.http().get('/dashboard?refresh=soon').expect(302)).headers.location).toBe('/#/dashboard');
    for (const gone of ['/dashboard/dashboard.js', '/dashboard/labels.js', '/dashboard/dashboard.css', '/dashboard/chart.umd.js']) await system.http().get(gone).expect(404);
    const document = (await system.http().get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/dashboard'))).toEqual([]);
  });

  it('refuses a wrong password on the sign-in form the old address leads to, in Chinese', async () => {
    const opened = await browser.context(BOARD);
    const page = await opened.newPage();
    try {
      await browser.open(page, '/dashboard');
      await page.waitForURL(/#\/login\?next=/);
      await submitSignIn(page, { username: supervisor.username, password: 'not the password' });
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect((await alert.textContent())?.trim()).toBe('用户名或密码错误');
      expect(await page.getByRole('heading', { name: '督办看板' }).count()).toBe(0);
    } finally {
      await opened.close();
    }
  });

  it('signs in, shows an overdue ticket appearing live, the charts, league table, warnings and notices; a number leads to its tickets', async () => {
    const { page, close } = await signedInBoard(supervisor);
    try {
      await page.getByRole('heading', { name: '督办看板' }).waitFor();
      expect(page.url()).toMatch(/#\/dashboard\?refresh=1$/);
      await page.waitForSelector('[data-refreshed]');

      // A leak under a seconds-long policy, accepted but never contacted: overdue within seconds.
      await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT1H', contact: 'PT2S', visit: 'PT1H', reply: 'PT1H' });
      const ticket = (await authed(system, operator.token).post('/tickets').send(ticketBody({ category: 'LEAK' })).expect(201)).body;
      await authed(system, crew.token).post(`/tickets/${ticket.id}/accept`).expect(200);
      const row = overdueRow(page, ticket.number);
      await row.waitFor({ timeout: 60_000 });
      expect(await row.textContent()).toContain(companyName); // as text: the markup in the name is not rendered
      expect(await page.locator('[data-panel="overdue"] b').count()).toBe(0);
      // Codes read as their Chinese names: district, category, stage, status, level; times in Shanghai.
      const cells = (await row.locator('td').allTextContents()).map((text) => text.trim());
      expect(cells).toEqual(expect.arrayContaining(['南开区', '跑冒滴漏', '联系群众', '已签收']));
      for (const code of ['NANKAI', 'LEAK', 'contact', 'ACCEPTED', ...ESCALATION_LEVELS]) expect(cells).not.toContain(code);
      const stored = (await authed(system, operator.token).get(`/tickets/${ticket.id}`).expect(200)).body;
      expect(cells[5]).toBe(shanghai(stored.stages.contact.dueAt));
      expect(cells[6]).toMatch(/^(不足1分|\d+分|\d+小时(\d+分)?)$/); // how late, e.g. 5分, not PT5M
      expect(Number(await page.locator('[data-stat="overdue"] .number').textContent())).toBeGreaterThanOrEqual(1);

      const panel = (name: string) => page.locator(`[data-panel="${name}"]`);
      await panel('notices').locator(`li[data-ticket="${ticket.number}"]`).waitFor({ timeout: 60_000 });
      const warning = panel('warnings').locator(`li[data-ticket="${ticket.number}"]`);
      await warning.waitFor({ timeout: 30_000 });
      expect(await warning.textContent()).toContain('“联系群众”环节约谈');
      await panel('league').getByText(companyName).waitFor({ timeout: 30_000 });
      expect(await drawn(page, 'by-day')).toBe(true);
      expect(await drawn(page, 'by-district')).toBe(true);
      const districts = await panel('by-district').locator('details tbody tr td:first-child').allTextContents();
      expect(districts).toEqual(DISTRICTS.map((district) => DISTRICT_NAMES_ZH[district]));
      expect(await page.locator('.who').textContent()).toContain('督办');

      await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
      expect(Object.values(await errorTexts(page)).join('')).toBe('');

      // A number leads to the tickets behind it: the company's overdue tickets, then the ticket itself.
      await row.getByRole('link', { name: companyName }).click();
      await page.waitForURL((url) => url.hash.startsWith('#/tickets?') && url.hash.includes(`companyId=${companyId}`) && url.hash.includes('overdue=true'));
      await page.getByRole('heading', { name: '工单列表' }).waitFor();
      await page.getByRole('link', { name: ticket.number }).waitFor();
      await page.goBack();
      await overdueRow(page, ticket.number).getByRole('link', { name: ticket.number }).click();
      await page.waitForURL((url) => url.hash === `#/tickets/${ticket.id}`);
      await page.getByRole('heading', { name: `工单 ${ticket.number}` }).waitFor();

      expect(browser.pageErrors).toEqual([]);
      expect(browser.foreignRequests).toEqual([]); // Chart.js and everything else come from the API itself
      await authed(system, operator.token).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
    } finally {
      await close();
    }
  });

  it('shows an admin every panel; a failing panel says so in Chinese and clears once the service answers again', async () => {
    const admin = await createUser(system, 'admin');
    const { page, close } = await signedInBoard(admin);
    try {
      await page.waitForURL(/#\/dashboard\?refresh=1$/);
      await page.waitForSelector('[data-refreshed]');
      expect(await errorTexts(page)).toEqual({ overdue: '', 'by-day': '', 'by-district': '', hotspots: '', league: '', warnings: '', notices: '', queues: '' });
      expect(await page.locator('[data-stat="extensions"]').count()).toBe(0); // the queues are the supervisors' to decide

      const problem = { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database is not reachable.' };
      const overdueError = '[data-panel="overdue"] .panel-error';
      await page.route('**/reports/overdue', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify(problem) }));
      await page.waitForFunction((selector) => document.querySelector(selector)?.textContent?.trim() === '服务暂不可用，稍后自动重试', overdueError);
      const failing = await errorTexts(page);
      expect(Object.entries(failing).filter(([, text]) => text !== '')).toEqual([['overdue', '服务暂不可用，稍后自动重试']]);
      expectNoEnglish(failing);
      await page.unroute('**/reports/overdue');
      await page.waitForSelector(overdueError, { state: 'detached', timeout: 30_000 });
      // No answer at all (the network): the same message.
      await page.route('**/reports/overdue', (route) => route.abort('connectionrefused'));
      await page.waitForFunction((selector) => document.querySelector(selector)?.textContent?.trim() === '服务暂不可用，稍后自动重试', overdueError);
      await page.unroute('**/reports/overdue');
      await page.waitForSelector(overdueError, { state: 'detached', timeout: 30_000 });
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('sends an operator and a crew who open the old address to their own screens', async () => {
    const asOperator = await signedInBoard(operator.user);
    try {
      await asOperator.page.waitForURL((url) => url.hash === '#/tickets/new');
      await asOperator.page.getByRole('heading', { name: '新建工单' }).waitFor();
    } finally {
      await asOperator.close();
    }
    const asCrew = await signedInBoard(crew.user);
    try {
      await asCrew.page.waitForURL((url) => url.hash === '#/my');
      await asCrew.page.getByRole('heading', { name: '我的工单' }).waitFor();
    } finally {
      await asCrew.close();
    }
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the hot-spot buildings of the week with their counts in Chinese, a suspected outage marked, each leading to its tickets', async () => {
    // Five calls from one building in a few seconds (five spellings), one from its neighbour, two repeat calls.
    const tickets = [];
    for (const address of ['南开区迎水道88号2号楼1门101', '迎水道88号2栋2门202', '南开区迎水道８８号二号楼３单元303', '迎水道88号2#楼1-402', '南开区迎水道88号2幢502']) {
      tickets.push((await authed(system, operator.token).post('/tickets').send(ticketBody({ address })).expect(201)).body);
    }
    const neighbour = ticketBody({ address: '南开区迎水道88号5号楼101', category: 'NO_HEAT' });
    tickets.push((await authed(system, operator.token).post('/tickets').send(neighbour).expect(201)).body);
    await authed(system, operator.token).post('/tickets').send(neighbour).expect(200);
    await authed(system, operator.token).post('/tickets').send(neighbour).expect(200);

    const { page, close } = await signedInBoard(supervisor);
    try {
      const row = (place: string) => page.locator('[data-panel="hotspots"] tr.el-table__row', { hasText: place });
      await row('迎水道88号 2号楼').waitFor();
      const cells = async (place: string): Promise<string[]> => (await row(place).locator('td').allTextContents()).map((text) => text.trim());
      // 楼栋, 区, 工单, 重复来电, 疑似片区停热: the 4th and 5th calls came while 3 and 4 others had.
      expect((await cells('迎水道88号 2号楼')).slice(1)).toEqual(['迎水道88号 2号楼', '南开区', '5', '0', '2']);
      expect((await cells('迎水道88号 5号楼')).slice(1)).toEqual(['迎水道88号 5号楼', '南开区', '1', '2', '0']);
      expect(await row('迎水道88号 2号楼').getAttribute('class')).toContain('outage');
      expect(await row('迎水道88号 5号楼').getAttribute('class')).not.toContain('outage');
      expect(await page.locator('[data-panel="hotspots"] .el-table__header').textContent()).not.toMatch(/[A-Za-z]/);
      await page.screenshot({ path: join(OUTPUT, 'dashboard-hotspots.png'), fullPage: true });

      // The report failing: said in Chinese, cleared once it answers again.
      const hotspots = (url: URL): boolean => url.pathname === '/reports/hotspots';
      const problem = { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database is not reachable.' };
      await page.route(hotspots, (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify(problem) }));
      await page.waitForFunction(() => document.querySelector('[data-panel="hotspots"] .panel-error')?.textContent?.trim() === '服务暂不可用，稍后自动重试');
      expect(Object.entries(await errorTexts(page)).filter(([, text]) => text !== '')).toEqual([['hotspots', '服务暂不可用，稍后自动重试']]);
      await page.unroute(hotspots);
      await page.waitForSelector('[data-panel="hotspots"] .panel-error', { state: 'detached', timeout: 30_000 });

      // The building leads to the tickets from its address (the list searches the road and number).
      await row('迎水道88号 2号楼').getByRole('link', { name: '迎水道88号 2号楼' }).click();
      await page.waitForURL((url) => url.hash.startsWith('#/tickets?') && url.hash.includes('district=NANKAI'));
      for (const ticket of tickets.slice(0, 5)) await page.getByRole('link', { name: ticket.number }).waitFor();
    } finally {
      await close();
    }
    for (const ticket of tickets) await authed(system, operator.token).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
    expect(browser.pageErrors).toEqual([]);
    expect(browser.foreignRequests).toEqual([]);
  });
});
