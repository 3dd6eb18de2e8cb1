/// <reference lib="dom" />
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { launchChromium, listen } from './browser';
import type { TestSystem } from './system';

/** Who signs in through the console's form. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A desk's screen, the contexts' default viewport. */
const DESK = { width: 1280, height: 900 };

/**
 * The work console in Chromium as the browser tests drive it: the test system served on a free port, and
 * browser contexts on it that collect every page error and every request leaving the test server (the
 * console fetches nothing from anywhere else).
 */
export class ConsoleBrowser {
  readonly pageErrors: string[] = [];
  readonly foreignRequests: string[] = [];

  private constructor(
    readonly base: string,
    private readonly browser: Browser,
  ) {}

  static async start(system: TestSystem): Promise<ConsoleBrowser> {
    const base = await listen(system);
    return new ConsoleBrowser(base, await launchChromium());
  }

  /** A fresh browser (its own session storage) in Chinese, in another zone than Shanghai: the console must still show Shanghai times. */
  async context(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const opened = await this.browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'America/New_York', ...options });
    opened.on('page', (page) => page.on('pageerror', (error) => this.pageErrors.push(error.message)));
    opened.on('request', (request) => {
      if (!request.url().startsWith(this.base)) this.foreignRequests.push(request.url());
    });
    return opened;
  }

  /** Opens `path` of the test server (`/#/tickets`: a console screen) in `page`. */
  async open(page: Page, path: string): Promise<void> {
    await page.goto(`${this.base}${path}`);
  }

  /** Opens `path` (the console, or an old address leading to its sign-in form), signs `user` in there and waits until signed in. */
  async signIn(page: Page, user: Credentials, path = '/'): Promise<void> {
    await this.open(page, path);
    await submitSignIn(page, user);
    await page.getByRole('button', { name: '退出' }).waitFor();
  }

  /** A page of a fresh context, signed in as `user` at `path`; `close` closes its context. */
  async signedIn(user: Credentials, path = '/', options: BrowserContextOptions = {}): Promise<{ page: Page; close: () => Promise<void> }> {
    const opened = await this.context(options);
    const page = await opened.newPage();
    await this.signIn(page, user, path);
    return { page, close: () => opened.close() };
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/** Fills the console's sign-in form and presses 登录 (what it answers is the caller's to check). */
export async function submitSignIn(page: Page, user: Credentials): Promise<void> {
  await page.getByLabel('用户名', { exact: true }).fill(user.username);
  await page.getByLabel('密码', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: '登录' }).click();
}

/** Until every finite CSS animation on the page has run (a dialog zooming in, a dropdown unfolding, a tag fading in); a spinner's never ends. */
export function settled(page: Page): Promise<unknown> {
  return page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

/** Picks `options` from the Element Plus select labelled `label` within `scope`, as a user does; a multiple select is closed after. */
export async function choose(scope: Page | Locator, label: string, ...options: string[]): Promise<void> {
  const page = 'goto' in scope ? scope : scope.page();
  await settled(page);
  // Element Plus lays its placeholder over the input: the click goes to the select, as a user's would.
  await scope.getByRole('combobox', { name: label, exact: true }).click({ force: true });
  const list = page.getByRole('listbox', { name: label, exact: true });
  await list.waitFor();
  await settled(page);
  for (const option of options) await list.getByRole('option', { name: option, exact: true }).click();
  if (options.length > 1) await page.keyboard.press('Escape');
  await list.waitFor({ state: 'hidden' });
}
