/**
 * Chromium for the console's browser tests and screenshots: Debian's `chromium` package (which
 * .ci/run installs when missing) or CHROMIUM_PATH, driven by playwright-core; axe-core checks a
 * page against WCAG 2.1 A and AA.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new Error('no Chromium: install Debian\'s chromium package (apt-get install chromium) or set CHROMIUM_PATH');
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * The page's WCAG 2.1 A/AA violations. axe is evaluated through the DevTools protocol, which the
 * page's content security policy (no inline script) does not apply to.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => (window as unknown as {
    axe: { run(ctx: Document, options: unknown): Promise<{ violations: AxeViolation[] }> };
  }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
  }));
}

/**
 * A person signed in through a one-time sign-in code, as a Dutch browser in Amsterdam: the link
 * opened, *Inloggen* pressed, waited until the console answers. `timeoutMs` bounds each step.
 */
export async function signedInPage(browser: Browser, base: string, code: string, timeoutMs = 20_000):
Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  context.setDefaultTimeout(timeoutMs);
  const page = await context.newPage();
  await page.goto(`${base}/inloggen?code=${code}`);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/inloggen')), page.getByRole('button', { name: 'Inloggen' }).click()]);
  return { context, page };
}
