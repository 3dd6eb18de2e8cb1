/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TicketEntity, TicketEventEntity } from '@app/persistence';
import { createUser, TestUser } from '../support/auth';
import { insertCompany } from '../support/fixtures';
import { launchChromium, listen } from '../support/browser';
import { eventually, startTestSystem, TestSystem } from '../support/system';

const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'console');
const PHONE = { width: 390, height: 844 };

/**
 * The work console in Debian's headless Chromium (playwright-core): a ticket worked from the call to the
 * close through the console only — the operator at a desk, the crew on a phone-sized screen — with the
 * API's state checked at every step.
 */
describe('work console in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let base: string;
  let operator: TestUser;
  let crew: TestUser;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI'], { name: '南开热力（测试）' });
    operator = await createUser(system, 'operator');
    crew = await createUser(system, 'crew', company.id);
    base = await listen(system);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  async function context(viewport: { width: number; height: number }): Promise<BrowserContext> {
    const opened = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'America/New_York' });
    opened.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(error.message)));
    opened.on('request', (request) => {
      if (!request.url().startsWith(base)) foreignRequests.push(request.url());
    });
    return opened;
  }

  async function signIn(page: Page, user: TestUser): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByLabel('用户名', { exact: true }).fill(user.username);
    await page.getByLabel('密码', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('button', { name: '退出' }).waitFor();
  }

  async function choose(page: Page, label: string, option: string): Promise<void> {
    // Element Plus lays its placeholder over the input: the click goes to the select, as a user's would.
    await page.getByRole('combobox', { name: label, exact: true }).click({ force: true });
    await page.getByRole('listbox', { name: label, exact: true }).getByRole('option', { name: option, exact: true }).click();
  }

  const stored = (id: string): Promise<TicketEntity> => system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id });
  const statusOf = async (id: string): Promise<string> => (await stored(id)).status;
  const events = (ticketId: string, type: string) => system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId, type } });

  /** Presses an action's button and, for one with a form, fills it with `fill` and submits; waits for the ticket's new status in the database. */
  async function act(page: Page, ticketId: string, button: string, expected: string, fill?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>): Promise<void> {
    await page.getByRole('button', { name: button, exact: true }).click();
    if (fill) {
      const dialog = page.getByRole('dialog');
      await fill(dialog);
      await dialog.getByRole('button', { name: '提交' }).click();
    }
    await eventually(async () => ((await statusOf(ticketId)) === expected ? true : undefined), 30_000, `${button} → ${expected}`);
    await page.getByText(`${button}：已完成`).first().waitFor();
  }

  it('works a NOT_WARM ticket from the call to the close without touching the API', async () => {
    // The operator takes the call at a desk.
    const desk = await context({ width: 1280, height: 900 });
    const operatorPage = await desk.newPage();
    await signIn(operatorPage, operator);
    await operatorPage.getByRole('heading', { name: '新建工单' }).waitFor();
    await operatorPage.getByLabel('来电号码', { exact: true }).fill('13912345678');
    await operatorPage.getByLabel('来电人', { exact: true }).fill('王女士');
    await choose(operatorPage, '区', '南开区');
    await operatorPage.getByLabel('地址', { exact: true }).fill('鞍山西道100号3门201');
    await operatorPage.getByLabel('诉求描述', { exact: true }).fill('卧室温度只有15度');
    await operatorPage.getByText('将派往：').waitFor();
    await operatorPage.screenshot({ path: join(SCREENSHOTS, 'operator-new-ticket.png'), fullPage: true });
    await operatorPage.getByRole('button', { name: '提交', exact: true }).click();
    await operatorPage.waitForURL(/#\/tickets\/[0-9a-f-]{36}$/);
    const ticketId = operatorPage.url().split('/').pop()!;
    expect(await statusOf(ticketId)).toBe('RECEIVED');
    expect(await stored(ticketId)).toMatchObject({ citizenPhone: '13912345678', district: 'NANKAI', category: 'NOT_WARM', createdBy: operator.username });

    // The crew, on a phone, in a stairwell.
    const phone = await context(PHONE);
    const crewPage = await phone.newPage();
    await signIn(crewPage, crew);
    await crewPage.getByRole('heading', { name: '我的工单' }).waitFor();
    const number = (await stored(ticketId)).number;
    await crewPage.getByText(number).click();
    await crewPage.waitForURL(new RegExp(`#/tickets/${ticketId}$`));
    await crewPage.screenshot({ path: join(SCREENSHOTS, 'crew-ticket.png'), fullPage: true });
    await act(crewPage, ticketId, '签收', 'ACCEPTED');
    await act(crewPage, ticketId, '联系群众', 'CONTACTED', (dialog) => dialog.getByLabel('说明', { exact: true }).fill('已电话联系，约定下午上门'));
    await act(crewPage, ticketId, '上门服务', 'REMEDIATING', async (dialog) => {
      await dialog.getByLabel('温度（°C）', { exact: true }).fill('15.5');
      await dialog.getByLabel('说明', { exact: true }).click(); // leave the number field: the value is taken
      await dialog.getByText('不达标（标准18°C）').waitFor();
      await dialog.getByLabel('说明', { exact: true }).fill('卧室15.5度，不达标');
    });
    await act(crewPage, ticketId, '上门服务', 'VISITED', async (dialog) => {
      await dialog.getByLabel('温度（°C）', { exact: true }).fill('19');
      await dialog.getByLabel('说明', { exact: true }).click();
      await dialog.getByText('达标', { exact: true }).waitFor();
      await dialog.getByLabel('说明', { exact: true }).fill('更换阀门后复测19度');
    });
    await act(crewPage, ticketId, '办理回复', 'REPLIED', (dialog) => dialog.getByLabel('办理结果', { exact: true }).fill('更换阀门后复测卧室19度，问题已解决'));
    expect((await stored(ticketId)).readings.map((reading) => [reading.celsius, reading.roomType, reading.measuredBy])).toEqual([
      [15.5, 'BEDROOM', crew.username],
      [19, 'BEDROOM', crew.username],
    ]);
    await crewPage.screenshot({ path: join(SCREENSHOTS, 'crew-replied.png'), fullPage: true });

    // The operator calls the citizen back, and the ticket closes.
    await operatorPage.goto(`${base}/#/tickets/${ticketId}`);
    await operatorPage.getByText('已回复').first().waitFor();
    await act(operatorPage, ticketId, '回访', 'CLOSED', (dialog) => dialog.getByLabel('说明', { exact: true }).fill('王女士表示满意'));
    expect((await stored(ticketId)).callback).toMatchObject({ reached: true, solved: true, evaluation: 'SATISFIED', by: operator.username });
    await operatorPage.screenshot({ path: join(SCREENSHOTS, 'operator-closed.png'), fullPage: true });
    for (const type of ['ACCEPT', 'CONTACT', 'REPLY', 'CALLBACK']) expect(await events(ticketId, type)).toHaveLength(1);
    expect(await events(ticketId, 'VISIT')).toHaveLength(2);

    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await desk.close();
    await phone.close();
  });
});
