/// <reference lib="dom" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { TicketEntity, TicketEventEntity } from '@app/persistence';
import { authed, createUser, tokenFor, TestUser } from '../support/auth';
import { seriousViolations } from '../support/axe';
import { insertCompany, ticketBody } from '../support/fixtures';
import { choose, ConsoleBrowser } from '../support/console-browser';
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
  let browser: ConsoleBrowser;
  let operator: TestUser;
  let crew: TestUser;
  let companyId: string;
  let otherCompanyId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    companyId = (await insertCompany(system.dataSource, ['NANKAI'], { name: '南开热力（测试）' })).id;
    otherCompanyId = (await insertCompany(system.dataSource, ['HEXI'], { name: '河西热力（测试）' })).id;
    operator = await createUser(system, 'operator');
    crew = await createUser(system, 'crew', companyId);
    browser = await ConsoleBrowser.start(system);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  // Reduced motion: no fade is half-way when axe measures contrast (the console honours the setting).
  const context = (viewport: { width: number; height: number }) => browser.context({ viewport, reducedMotion: 'reduce' });
  const signIn = (page: Page, user: TestUser) => browser.signIn(page, user);

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
    await browser.open(operatorPage, `/#/tickets/${ticketId}`);
    await operatorPage.getByText('已回复').first().waitFor();
    await act(operatorPage, ticketId, '回访', 'CLOSED', (dialog) => dialog.getByLabel('说明', { exact: true }).fill('王女士表示满意'));
    expect((await stored(ticketId)).callback).toMatchObject({ reached: true, solved: true, evaluation: 'SATISFIED', by: operator.username });
    await operatorPage.screenshot({ path: join(SCREENSHOTS, 'operator-closed.png'), fullPage: true });
    for (const type of ['ACCEPT', 'CONTACT', 'REPLY', 'CALLBACK']) expect(await events(ticketId, type)).toHaveLength(1);
    expect(await events(ticketId, 'VISIT')).toHaveLength(2);

    expect(browser.pageErrors).toEqual([]);
    expect(browser.foreignRequests).toEqual([]);
    await desk.close();
    await phone.close();
  });
  /** A ticket made through the API as the operator (setup for the screens under test). */
  async function apiTicket(overrides: Record<string, unknown> = {}): Promise<{ id: string; number: string }> {
    const token = await tokenFor(system, operator);
    return (await authed(system, token).post('/tickets').send(ticketBody({ district: 'NANKAI', ...overrides })).expect(201)).body;
  }

  it('shows the operator a repeat call before the submit, and the submit counts it (催办) on the open ticket', async () => {
    const open = await apiTicket({ citizenPhone: '13700001111', address: '鞍山西道7号1门101', category: 'NOT_WARM' });
    const desk = await context({ width: 1280, height: 900 });
    const page = await desk.newPage();
    await signIn(page, operator);
    await page.getByLabel('来电号码', { exact: true }).fill('137 0000 1111');
    await choose(page, '区', '南开区');
    await page.getByLabel('地址', { exact: true }).fill('鞍山西道7号1门101');
    await page.getByText(`该来电人已有同类未办结工单 ${open.number}，提交将记为催办`).waitFor();
    await page.getByLabel('来电人', { exact: true }).fill('李先生');
    await page.getByLabel('诉求描述', { exact: true }).fill('还是不热');
    await page.screenshot({ path: join(SCREENSHOTS, 'operator-repeat-call.png'), fullPage: true });
    await page.getByRole('button', { name: '提交（记为催办）' }).click();
    await page.getByText(`已记为催办：工单 ${open.number}`).waitFor();
    expect((await stored(open.id)).repeatCount).toBe(1);
    expect(await system.dataSource.getRepository(TicketEntity).countBy({ citizenPhone: '13700001111' })).toBe(1);
    await desk.close();
  });

  it('does not show a crew another company’s ticket when it edits the URL', async () => {
    const elsewhere = await apiTicket({ district: 'HEXI', companyId: otherCompanyId, citizenPhone: '13700002222' });
    const phone = await context(PHONE);
    const page = await phone.newPage();
    await signIn(page, crew);
    await browser.open(page, `/#/tickets/${elsewhere.id}`);
    await page.getByText('工单不存在或不属于本单位').waitFor();
    expect(await page.content()).not.toContain(elsewhere.number);
    await phone.close();
  });

  it('applies 签收 once when the connection drops after the server answered and the crew presses again', async () => {
    const ticket = await apiTicket({ citizenPhone: '13700003333' });
    const phone = await context(PHONE);
    const page = await phone.newPage();
    await signIn(page, crew);
    await browser.open(page, `/#/tickets/${ticket.id}`);
    let cut = 0;
    await page.route('**/tickets/*/accept', async (route) => {
      if (cut > 0) return route.continue();
      cut += 1;
      await route.fetch(); // the server applies the action and answers…
      await route.abort('connectionreset'); // …and the answer never reaches the phone
    });
    await page.getByRole('button', { name: '签收', exact: true }).click();
    await page.getByText('无法连接服务器，请检查网络后重试').first().waitFor();
    expect(await statusOf(ticket.id)).toBe('ACCEPTED');
    await page.getByRole('button', { name: '签收', exact: true }).click();
    await page.getByText('签收：已完成').first().waitFor();
    expect(await events(ticket.id, 'ACCEPT')).toHaveLength(1);
    await phone.close();
  });

  it('has no serious accessibility violation on the main screens, and keeps the crew’s script under 300 KB gzipped', async () => {
    const ticket = await apiTicket({ citizenPhone: '13700004444' });
    const phone = await context(PHONE);
    const page = await phone.newPage();
    const scripts = new Map<string, number>();
    page.on('response', async (response) => {
      if (response.url().endsWith('.js')) scripts.set(response.url(), gzipSync(await response.body()).length);
    });
    const checked: Record<string, unknown[]> = {};
    await browser.open(page, '/');
    await page.getByLabel('用户名', { exact: true }).waitFor();
    checked.login = await seriousViolations(page);
    await signIn(page, crew);
    await page.getByText(ticket.number).waitFor();
    checked.crewList = await seriousViolations(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'crew-my-tickets.png'), fullPage: true });
    await page.getByText(ticket.number).click();
    await page.getByRole('button', { name: '签收', exact: true }).waitFor();
    checked.crewTicket = await seriousViolations(page);
    await page.getByRole('button', { name: '签收', exact: true }).click();
    await page.getByRole('button', { name: '联系群众', exact: true }).click();
    await page.getByRole('dialog').getByLabel('说明', { exact: true }).waitFor();
    checked.crewDialog = await seriousViolations(page);
    const crewScriptBytes = [...scripts.values()].reduce((sum, bytes) => sum + bytes, 0);
    await phone.close();

    const desk = await context({ width: 1280, height: 900 });
    const operatorPage = await desk.newPage();
    await signIn(operatorPage, operator);
    await operatorPage.getByLabel('来电号码', { exact: true }).waitFor();
    checked.newTicket = await seriousViolations(operatorPage);
    await browser.open(operatorPage, '/#/tickets');
    await operatorPage.getByText(ticket.number).waitFor();
    checked.ticketList = await seriousViolations(operatorPage);
    await operatorPage.screenshot({ path: join(SCREENSHOTS, 'operator-ticket-list.png'), fullPage: true });
    await browser.open(operatorPage, `/#/tickets/${ticket.id}`);
    await operatorPage.getByText('办理过程').waitFor();
    checked.ticketPage = await seriousViolations(operatorPage);
    await desk.close();

    expect(checked).toEqual({ login: [], crewList: [], crewTicket: [], crewDialog: [], newTicket: [], ticketList: [], ticketPage: [] });
    // The figure, for docs/console.md: what a crew's phone downloads before it can work a ticket.
    writeFileSync(join(SCREENSHOTS, 'crew-script-bytes.json'), JSON.stringify({ gzippedScriptBytes: crewScriptBytes, files: scripts.size }));
    expect(crewScriptBytes).toBeGreaterThan(0);
    expect(crewScriptBytes).toBeLessThan(300 * 1024);
  });
});
