/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { localDate, STAGE_NAMES_ZH } from '@app/domain';
import { TicketEntity } from '@app/persistence';
import { seriousViolations } from '../support/axe';
import { authed, createUser, loginAs, SignedIn, TestUser } from '../support/auth';
import { insertCompany, ticketBody } from '../support/fixtures';
import { choose, ConsoleBrowser } from '../support/console-browser';
import { eventually, startTestSystem, TestSystem } from '../support/system';

const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'console');
const HOUR_MS = 3_600_000;

/** A YYYY-MM-DD day moved by `days`. */
function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
const compact = (day: string): string => day.replaceAll('-', '');

/**
 * The supervisors' screens of the work console in Debian's headless Chromium (playwright-core): the
 * 延期审批 queue decided with 批准, a pause request with 驳回, a review with 重办, the reports page with
 * its date range and CSV downloads; every screen checked by axe-core and photographed.
 */
describe('supervisor screens of the console in Chromium', () => {
  let system: TestSystem;
  let browser: ConsoleBrowser;
  let supervisor: TestUser;
  let operator: SignedIn;
  let crew: SignedIn;
  let companyId: string;
  const companyName = '南开热力（督办测试）';

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI'], { name: companyName });
    companyId = company.id;
    supervisor = await createUser(system, 'supervisor');
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    browser = await ConsoleBrowser.start(system);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  /** Signs the supervisor in through the console's 登录 form; a supervisor starts on the dashboard. */
  const signIn = () => browser.signedIn(supervisor, '/', { acceptDownloads: true });

  const as = (who: SignedIn) => authed(system, who.token);
  const stored = (id: string): Promise<TicketEntity> => system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id });
  /** Every ticket the tests created: all the company's (the only one serving NANKAI). */
  const created: string[] = [];
  const newTicket = async (overrides: Record<string, unknown> = {}) => {
    const ticket = (await as(operator).post('/tickets').send(ticketBody(overrides)).expect(201)).body as { id: string; number: string; stages: Record<string, { dueAt: string }> };
    created.push(ticket.number);
    return ticket;
  };
  const queueRow = (page: Page, queue: string, number: string) => page.locator(`.queue-${queue} tr.el-table__row`, { hasText: number });

  it('starts the supervisor on the dashboard, and approves an extension from the 延期审批 queue with 批准', async () => {
    const ticket = await newTicket();
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '需协调物业开门', extendBy: 'PT2H' }).expect(200);
    const { page, close } = await signIn();
    try {
      // Home: the dashboard, which counts the pending request and leads to the queue.
      await page.getByRole('heading', { name: '督办看板' }).waitFor();
      expect(page.url()).toMatch(/#\/dashboard$/);
      await page.waitForSelector('[data-refreshed]');
      await page.waitForFunction(() => document.querySelector('[data-stat="extensions"] .number')?.textContent === '1');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'supervisor-dashboard.png'), fullPage: true });

      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '延期审批' }).click();
      await page.waitForURL((url) => url.hash === '#/queues/extensions');
      const row = queueRow(page, 'extensions', ticket.number);
      await row.waitFor();
      const cells = (await row.locator('td').allTextContents()).map((text) => text.trim());
      expect(cells.slice(0, 6)).toEqual([ticket.number, companyName, STAGE_NAMES_ZH.accept, '2小时', '需协调物业开门', crew.user.username]);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'supervisor-queues.png'), fullPage: true });

      const keys: string[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith(`/tickets/${ticket.id}/extension/approve`)) keys.push(request.headers()['idempotency-key'] ?? '');
      });
      await row.getByRole('button', { name: '批准', exact: true }).click();
      const approved = await eventually(async () => {
        const current = await stored(ticket.id);
        return current.extension?.status === 'APPROVED' ? current : undefined;
      }, 30_000, 'the extension approved');
      expect(approved.extension).toMatchObject({ status: 'APPROVED', decidedBy: supervisor.username });
      expect(Date.parse(approved.stages.accept!.dueAt) - Date.parse(ticket.stages.accept.dueAt)).toBe(2 * HOUR_MS);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      await page.getByRole('status').filter({ hasText: `已批准 ${ticket.number} 的延期申请` }).waitFor();
      await row.waitFor({ state: 'detached' });
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('rejects a pause request from the 暂停审批 tab with 驳回 and a reason', async () => {
    const ticket = await newTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/pause`).send({ reason: 'RESIDENT_AWAY', note: '敲门无人，电话未接', callAttempts: 3 }).expect(200);
    const { page, close } = await signIn();
    try {
      await browser.open(page, '/#/queues/extensions');
      await page.getByRole('tab', { name: /^暂停审批/ }).click();
      await page.waitForURL((url) => url.hash === '#/queues/pauses');
      const row = queueRow(page, 'pauses', ticket.number);
      await row.waitFor();
      expect(await row.textContent()).toContain('住户不在家');
      expect(await row.textContent()).toContain('已拨打电话3次');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'supervisor-queues-pauses.png'), fullPage: true });

      await row.getByRole('button', { name: '驳回', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('驳回理由（可选）', { exact: true }).fill('请先联系物业');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'supervisor-queues-reject.png'), fullPage: true });
      await dialog.getByRole('button', { name: '确认驳回' }).click();
      const rejected = await eventually(async () => {
        const current = await stored(ticket.id);
        return current.pause?.status === 'REJECTED' ? current : undefined;
      }, 30_000, 'the pause rejected');
      expect(rejected.pause).toMatchObject({ status: 'REJECTED', decidedBy: supervisor.username, decisionReason: '请先联系物业' });
      await page.getByRole('status').filter({ hasText: `已驳回 ${ticket.number} 的暂停申请` }).waitFor();
      await row.waitFor({ state: 'detached' });
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('reopens a 不满意 for objective reasons from the 回访复核 tab with 重办, the reason required', async () => {
    const ticket = await newTicket({ category: 'BILLING' });
    await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/reply`).send({ resolution: '已核实退费' }).expect(200);
    await as(operator)
      .post(`/tickets/${ticket.id}/callback`)
      .send({ reached: true, solved: false, contacted: true, satisfaction: 'UNSATISFIED', unitAtFault: false, note: '政策原因' })
      .expect(200);
    const { page, close } = await signIn();
    try {
      await browser.open(page, '/#/queues/reviews');
      const row = queueRow(page, 'reviews', ticket.number);
      await row.waitFor();
      expect(await row.textContent()).toContain('政策原因');
      expect(await seriousViolations(page)).toEqual([]);
      await row.getByRole('button', { name: '重办', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: '确认重办' }).click();
      await dialog.getByText('请填写重办原因').waitFor(); // nothing sent without a reason
      expect((await stored(ticket.id)).review?.status).toBe('PENDING');
      await dialog.getByLabel('重办原因', { exact: true }).fill('复核认为仍需上门处理');
      await dialog.getByRole('button', { name: '确认重办' }).click();
      await eventually(async () => ((await stored(ticket.id)).review?.status === 'REOPENED' ? true : undefined), 30_000, 'the review reopened');
      await page.getByRole('status').filter({ hasText: `已将 ${ticket.number} 退回重办` }).waitFor();
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the company report for a date range with numbers leading to the tickets, and downloads it as CSV', async () => {
    const { page, close } = await signIn();
    try {
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '报表' }).click();
      await page.waitForURL((url) => url.hash === '#/reports');
      const row = page.locator('.companies tr.el-table__row', { hasText: companyName });
      await row.waitFor();
      // The default range: the last 7 Asia/Shanghai days, today included (`to` is the day after).
      const today = localDate(new Date());
      const range = { from: addDays(today, -6), to: addDays(today, 1) };
      const report = (await as(await loginAs(system, 'supervisor')).get('/reports/companies').query(range).expect(200)).body;
      const dispatched = report.items.find((item: { companyId: string }) => item.companyId === companyId).dispatched;
      expect(dispatched).toBeGreaterThanOrEqual(3);
      expect((await row.locator('td').nth(1).textContent())?.trim()).toBe(String(dispatched));
      await page.getByText(`当前统计：${range.from} 至 ${today}`).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'supervisor-reports.png'), fullPage: true });

      // CSV: the API's file, under the name it gives, Chinese headers after the BOM.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载考核报表CSV' }).click()]);
      expect(download.suggestedFilename()).toBe(`companies-${compact(range.from)}-${compact(range.to)}.csv`);
      const text = readFileSync(await download.path(), 'utf8');
      expect(text.split('\r\n')[0]).toMatch(/^\uFEFF承办单位,派单量,及时签收率,/);
      expect(text).toContain(companyName);
      await page.getByRole('status').filter({ hasText: `已下载 companies-${compact(range.from)}-${compact(range.to)}.csv` }).waitFor();

      // A heating season instead: its days become the range, and the download is named by them.
      const seasons = (await as(operator).get('/seasons').expect(200)).body as Array<{ season: string; starts: string; ends: string }>;
      const season = seasons[0];
      await choose(page, '供暖季', `${season.season}（${season.starts} 至 ${season.ends}）`);
      await page.getByText(`当前统计：${season.starts} 至 ${season.ends}`).waitFor();
      const [seasonal] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载退费明细CSV' }).click()]);
      expect(seasonal.suggestedFilename()).toBe(`refunds-${compact(season.starts)}-${compact(addDays(season.ends, 1))}.csv`);
      expect(readFileSync(await seasonal.path(), 'utf8').split('\r\n')[0]).toMatch(/^\uFEFF日期,工单编号,供热单位,/);

      // Back to this week, then a number leads to the tickets behind it.
      await browser.open(page, '/#/dashboard');
      await browser.open(page, '/#/reports');
      await row.waitFor();
      await row.locator('td').nth(1).getByRole('link').click();
      await page.waitForURL((url) => url.hash.startsWith('#/tickets?') && url.hash.includes(`companyId=${companyId}`) && url.hash.includes('open=false'));
      await page.getByRole('heading', { name: '工单列表' }).waitFor();
      for (const number of created) await page.locator('.list tr.el-table__row', { hasText: number }).waitFor();
      expect(await page.locator('.list tr.el-table__row').count()).toBe(created.length);
      expect(browser.pageErrors).toEqual([]);
      expect(browser.foreignRequests).toEqual([]);
    } finally {
      await close();
    }
  });
});
