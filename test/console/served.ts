/**
 * The browser tests' service: a test context listening on a free port of 127.0.0.1, with the
 * region's municipalities set, and Chromium beside it; `close` stops the service and closes every
 * browser context the test opened. Apart from browser.ts so that the screenshots script can use
 * Chromium without the test support.
 *
 * One Chromium serves every browser test file a vitest worker runs (the worker runs them one after
 * another, vitest.config.ts): a launch costs about a second. Each file still gets its own service
 * and its own browser contexts (cookies, storage); Playwright closes the browser when the worker exits.
 */
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from '../support/app.ts';
import { launchChromium } from './browser.ts';

export interface ServedConsole {
  ctx: TestContext;
  /** `http://127.0.0.1:<port>` */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

let workerChromium: Promise<Browser> | undefined;

/** This worker's Chromium, launched on first use (and again should it have gone away). */
function sharedChromium(): Promise<Browser> {
  if (!workerChromium) {
    const launching = launchChromium();
    workerChromium = launching;
    launching.then((browser) => browser.on('disconnected', () => { workerChromium = undefined; }),
      () => { workerChromium = undefined; });
  }
  return workerChromium;
}

export async function servedConsole(municipalities: string[] | null = ['GM0363', 'GM0344'],
  config: NonNullable<Parameters<typeof createTestContext>[0]>['config'] = {}): Promise<ServedConsole> {
  const ctx = await createTestContext({ config });
  if (municipalities) await ctx.regions.set('R01', { municipalities });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const browser = await sharedChromium().catch(async (error: unknown) => { await ctx.close(); throw error; });
  return {
    ctx, base, browser,
    async close() {
      await Promise.all(browser.contexts().map((context) => context.close()));
      await ctx.close();
    },
  };
}
