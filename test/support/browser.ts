import type { AddressInfo, Server } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import type { TestSystem } from './system';

/** Debian's headless Chromium, driven by playwright-core (it downloads no browser), quiet: no network of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Starts the test system's HTTP server on a free port and answers its base URL. */
export async function listen(system: TestSystem): Promise<string> {
  await system.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${((system.app.getHttpServer() as unknown as Server).address() as AddressInfo).port}`;
}
