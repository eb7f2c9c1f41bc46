/**
 * The browser tests' service: a test context listening on a free port of 127.0.0.1, with the
 * region's municipalities set, and Chromium beside it; `close` stops both. Apart from
 * browser.ts so that the screenshots script can use Chromium without the test support.
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

export async function servedConsole(municipalities: string[] | null = ['GM0363', 'GM0344'],
  config: NonNullable<Parameters<typeof createTestContext>[0]>['config'] = {}): Promise<ServedConsole> {
  const ctx = await createTestContext({ config });
  if (municipalities) await ctx.regions.set('R01', { municipalities });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const browser = await launchChromium().catch(async (error: unknown) => { await ctx.close(); throw error; });
  return {
    ctx, base, browser,
    async close() {
      await browser.close();
      await ctx.close();
    },
  };
}
