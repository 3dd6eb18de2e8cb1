/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { DEFAULT_SLA_POLICIES, seasonFirstYearAt } from '@app/domain';
import { CompanyEntity, SlaPolicyEntity, UserEntity } from '@app/persistence';
import { authed, createUser, tokenFor, TestUser } from '../support/auth';
import { seriousViolations } from '../support/axe';
import { choose, ConsoleBrowser, settled } from '../support/console-browser';
import { insertCompany } from '../support/fixtures';
import { eventually, startTestSystem, TestSystem } from '../support/system';

const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'console');

/**
 * The admin screens of the work console in Debian's headless Chromium (playwright-core): companies and users
 * created, reset and deactivated through the forms, a policy's new version, the calendar and the heating
 * seasons — each checked in the database or the API, each screen checked by axe-core.
 */
describe('admin console in Chromium', () => {
  let system: TestSystem;
  let browser: ConsoleBrowser;
  let page: Page;
  let closeDesk: () => Promise<void>;
  let admin: TestUser;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    await insertCompany(system.dataSource, ['NANKAI'], { code: 'TJRL-NK', name: '南开热力（测试）' });
    admin = await createUser(system, 'admin');
    browser = await ConsoleBrowser.start(system);
    mkdirSync(SCREENSHOTS, { recursive: true });
    ({ page, close: closeDesk } = await browser.signedIn(admin));
  });

  afterAll(async () => {
    await closeDesk?.();
    await browser?.close();
    await system?.close();
  });

  afterEach(() => {
    expect(browser.pageErrors).toEqual([]);
    expect(browser.foreignRequests).toEqual([]);
  });

  const users = () => system.dataSource.getRepository(UserEntity);
  const companies = () => system.dataSource.getRepository(CompanyEntity);

  /** Opens a screen from the navigation and waits for its heading. */
  async function open(link: string): Promise<void> {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: link, level: 1 }).waitFor();
  }

  /** The screen at rest: no toast left over it, no dialog half faded out, nothing half faded in. */
  async function atRest(): Promise<void> {
    await page.locator('.el-message').first().waitFor({ state: 'detached' });
    await settled(page);
  }

  /** No serious or critical axe-core violation on the screen at rest (a dialog open on it included). */
  async function expectAccessible(): Promise<void> {
    await atRest();
    expect(await seriousViolations(page)).toEqual([]);
  }

  async function screenshot(name: string): Promise<void> {
    await atRest();
    await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
  }

  /** The error Element Plus shows under a form item, found from the item's labelled input. */
  const fieldError = (dialog: Locator, label: string): Locator => dialog.locator('.el-form-item', { has: page.getByLabel(label, { exact: true }) }).locator('.el-form-item__error');

  it('creates a company and a crew user for it through the forms, resets its password and deactivates it', async () => {
    // 单位管理: a new company serving two districts.
    await open('单位管理');
    await page.getByRole('cell', { name: '南开热力（测试）' }).waitFor();
    await expectAccessible();
    await page.getByRole('button', { name: '新建单位' }).click();
    const companyDialog = page.getByRole('dialog', { name: '新建单位' });
    await companyDialog.getByLabel('编码', { exact: true }).waitFor();
    await expectAccessible();
    await companyDialog.getByLabel('编码', { exact: true }).fill('TJRL-HX');
    await companyDialog.getByLabel('名称', { exact: true }).fill('河西热力（测试）');
    await choose(companyDialog, '服务区域', '河西区', '西青区');
    await companyDialog.getByRole('button', { name: '创建' }).click();
    const company = await eventually(() => companies().findOneBy({ code: 'TJRL-HX' }).then((found) => found ?? undefined), 10_000, 'the company stored');
    expect(company).toMatchObject({ name: '河西热力（测试）', active: true });
    expect([...company.districts].sort()).toEqual(['HEXI', 'XIQING']);
    await page.getByRole('row', { name: /TJRL-HX/ }).getByText('河西区、西青区').waitFor();
    await screenshot('admin-companies.png');

    // 用户管理: a crew user of that company; a common password is refused at its field first.
    await open('用户管理');
    await page.getByRole('cell', { name: admin.username, exact: true }).waitFor();
    await expectAccessible();
    await page.getByRole('button', { name: '新建用户' }).click();
    const userDialog = page.getByRole('dialog', { name: '新建用户' });
    await userDialog.getByLabel('用户名', { exact: true }).waitFor();
    await expectAccessible();
    await userDialog.getByLabel('用户名', { exact: true }).fill('li.wei');
    await userDialog.getByLabel('姓名', { exact: true }).fill('李伟');
    await choose(userDialog, '角色', '维修人员');
    await choose(userDialog, '所属单位', '河西热力（测试）');
    await userDialog.getByLabel('密码', { exact: true }).fill('password123');
    await userDialog.getByRole('button', { name: '创建' }).click();
    await fieldError(userDialog, '密码').getByText('密码过于常见，容易被猜到，请换一个').waitFor();
    expect(await users().findOneBy({ username: 'li.wei' })).toBeNull();

    await userDialog.getByLabel('密码', { exact: true }).fill('Heating-Valve-Riverside-42');
    await userDialog.getByRole('button', { name: '创建' }).click();
    const crew = await eventually(() => users().findOneBy({ username: 'li.wei' }).then((found) => found ?? undefined), 10_000, 'the user stored');
    expect(crew).toMatchObject({ role: 'crew', companyId: company.id, displayName: '李伟', active: true, mustChangePassword: false });
    const row = page.getByRole('row', { name: /li\.wei/ });
    await row.getByText('河西热力（测试）').waitFor();
    await row.getByText('维修人员').waitFor();

    // 重置密码: the one-time password is shown once, and it signs in (to change the password first).
    await row.getByRole('button', { name: '重置密码' }).click();
    await page.getByRole('dialog', { name: '重置密码' }).getByRole('button', { name: '重置密码' }).click();
    const shown = page.getByRole('dialog', { name: '一次性密码' });
    const oneTimePassword = ((await shown.locator('code').textContent()) ?? '').trim();
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(20);
    expect((await users().findOneByOrFail({ id: crew.id })).mustChangePassword).toBe(true);
    const signedIn = await system.http().post('/auth/login').send({ username: 'li.wei', password: oneTimePassword }).expect(200);
    expect(signedIn.body.mustChangePassword).toBe(true);
    await shown.getByRole('button', { name: '我已记下，关闭' }).click();
    await shown.waitFor({ state: 'hidden' });
    await row.getByText('待改密').waitFor();

    // 停用: the user can no longer sign in.
    await row.getByRole('button', { name: '停用' }).click();
    await page.getByRole('dialog', { name: '停用用户' }).getByRole('button', { name: '停用' }).click();
    await eventually(async () => ((await users().findOneByOrFail({ id: crew.id })).active ? undefined : true), 10_000, 'the user deactivated');
    await row.getByText('已停用').waitFor();
    await row.getByRole('button', { name: '启用' }).waitFor();
    await system.http().post('/auth/login').send({ username: 'li.wei', password: oneTimePassword }).expect(401);
    await screenshot('admin-users.png');
  });

  it('stores a new version of the P2 policy with a longer accept limit', async () => {
    await open('时限政策');
    await page.getByRole('columnheader', { name: 'P2（第1版）' }).waitFor();
    await page.getByRole('row', { name: /工单接收时限/ }).getByText('1个工作日').waitFor();
    await expectAccessible();

    await page.getByRole('button', { name: '编辑 P2' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑 P2 时限政策' });
    const accept = dialog.getByLabel('工单接收时限', { exact: true });
    await accept.waitFor();
    await expectAccessible();
    expect(await accept.inputValue()).toBe('1');
    await accept.fill('2');
    await accept.press('Tab'); // leave the number field: the value is taken
    await dialog.getByText('即2个工作日').waitFor();
    await dialog.getByRole('button', { name: '保存为新版本' }).click();

    const stored = await eventually(
      () => system.dataSource.getRepository(SlaPolicyEntity).findOneBy({ priority: 'P2', version: 2 }).then((found) => found ?? undefined),
      10_000,
      'P2 version 2',
    );
    expect(stored).toMatchObject({ ...DEFAULT_SLA_POLICIES.P2, accept: 'P2D' });
    await page.getByRole('columnheader', { name: 'P2（第2版）' }).waitFor();
    await page.getByRole('status').getByText(/已保存 P2 第2版/).waitFor();
    await page.getByRole('row', { name: /工单接收时限/ }).getByText('2个工作日').waitFor();
    await screenshot('admin-sla.png');

    // 室温标准: a new version from its own form, the rooms and refund tiers kept.
    const before = (await authed(system, await tokenFor(system, admin)).get('/indoor-standard').expect(200)).body;
    await page.getByRole('button', { name: '编辑室温标准' }).click();
    const indoor = page.getByRole('dialog', { name: '编辑室温标准' });
    const celsius = indoor.getByLabel('标准温度（°C）', { exact: true });
    await celsius.waitFor();
    await expectAccessible();
    await celsius.fill('19');
    await celsius.press('Tab');
    await indoor.getByRole('button', { name: '保存为新版本' }).click();
    await page.getByRole('heading', { name: `室温标准与退费档位（第${before.version + 1}版）` }).waitFor();
    const after = (await authed(system, await tokenFor(system, admin)).get('/indoor-standard').expect(200)).body;
    expect(after).toMatchObject({ version: before.version + 1, celsius: 19, rooms: before.rooms, refundTiers: before.refundTiers, createdBy: admin.username });
  });

  it('shows where a year’s calendar comes from, and overrides a year without data', async () => {
    await open('工作日历');
    await page.getByText(/^来源：/).waitFor();
    await page.getByRole('cell', { name: '法定默认' }).first().waitFor();
    await expectAccessible();
    await screenshot('admin-calendar.png');

    const year = page.getByLabel('年份', { exact: true });
    await year.fill('2099');
    await year.press('Tab');
    await page.getByText('来源：无数据').waitFor();
    const holidays = page.getByRole('region', { name: /节假日（休息）/ });
    await holidays.getByLabel('添加节假日', { exact: true }).fill('2099-10-01');
    await holidays.getByLabel('添加节假日的结束日期（可不填）', { exact: true }).fill('2099-10-03');
    await holidays.getByRole('button', { name: '添加' }).click();
    await page.getByRole('heading', { name: '节假日（休息）：3天' }).waitFor();
    await page.getByRole('button', { name: '保存日历' }).click();
    await page.getByRole('dialog', { name: '保存日历' }).getByRole('button', { name: '保存日历' }).click();
    await page.getByText('来源：管理员修改').waitFor();

    const token = await tokenFor(system, admin);
    const stored = (await authed(system, token).get('/calendar/2099').expect(200)).body;
    expect(stored).toMatchObject({ year: 2099, source: 'OVERRIDDEN', holidays: ['2099-10-01', '2099-10-02', '2099-10-03'], workdays: [] });

    // 供暖季: next season starts early, as the city government decides.
    const next = seasonFirstYearAt(new Date()) + 1;
    await page.getByRole('button', { name: '设置供暖季' }).click();
    const seasonDialog = page.getByRole('dialog', { name: '设置供暖季' });
    await seasonDialog.getByLabel('首个供暖日', { exact: true }).waitFor();
    await expectAccessible();
    await seasonDialog.getByText(`${next}-${next + 1}`, { exact: true }).waitFor(); // the season chosen, with the statutory dates
    expect(await seasonDialog.getByLabel('首个供暖日', { exact: true }).inputValue()).toBe(`${next}-11-15`);
    await seasonDialog.getByLabel('首个供暖日', { exact: true }).fill(`${next}-11-01`);
    await seasonDialog.getByLabel('最后供暖日', { exact: true }).fill(`${next + 1}-03-20`);
    await seasonDialog.getByRole('button', { name: '保存' }).click();
    await page.getByRole('row', { name: new RegExp(`${next}-${next + 1}`) }).getByText('管理员设置').waitFor();
    const seasons = (await authed(system, token).get('/seasons').expect(200)).body;
    expect(seasons).toContainEqual(expect.objectContaining({ season: `${next}-${next + 1}`, starts: `${next}-11-01`, ends: `${next + 1}-03-20`, source: 'STORED', updatedBy: admin.username }));
  });
});
