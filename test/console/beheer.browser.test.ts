/**
 * Beheer in Chromium (issue 25), as a regional admin uses it, with a real SMTP server in the test
 * process: the people list, a person's page, "Nieuwe inloglink sturen" (the link arrives by mail,
 * the page never holds it), a change of role, disabling after the confirmation and enabling again,
 * and region deadlines saved in weeks. axe-core checks every page (WCAG 2.1 AA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/auth/people.ts';
import type { TestContext } from '../support/app.ts';
import { MailServer } from '../notifications/smtp.ts';
import { axeViolations, signedInPage, type AxeViolation } from './browser.ts';
import { person, signInLink } from './session.ts';
import { servedConsole } from './served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
let server: MailServer;
let page: Page;
let worker: User;
const violations: { url: string; violations: AxeViolation[] }[] = [];

beforeAll(async () => {
  server = await new MailServer().start();
  ({ ctx, base, browser, close: stop } = await servedConsole(['GM0363', 'GM0344'],
    { SMTP_URL: server.url, MAIL_FROM: 'passend@regio.example' }));
  worker = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
  const admin = await person(ctx, 'admin', 'regio-r01', 'R01', 'Bea Beheer');
  ({ page } = await signedInPage(browser, base, await signInLink(ctx, admin), 15_000));
}, 60_000);
afterAll(async () => {
  await stop?.();
  await server.close();
});

async function checked(): Promise<string> {
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: page.url(), violations: found });
  const html = await page.content();
  expect(html).not.toMatch(/code=/);
  return html;
}

describe('Beheer in the browser', () => {
  it('goes from the people list to a person and mails them a new sign-in link', async () => {
    await page.goto(`${base}/beheer`);
    await checked();
    await page.getByRole('link', { name: 'Beheren Wim Wijkteam' }).click();
    await page.waitForURL(`${base}/beheer/mensen/${worker.id}`);
    await checked();
    await page.getByRole('button', { name: 'Nieuwe inloglink sturen naar Wim Wijkteam' }).click();
    await page.waitForURL(/verstuurd=ja/);
    expect(await checked()).toContain('Er is een nieuwe inloglink naar het e-mailadres van Wim Wijkteam gestuurd');
    expect(server.to(worker.email)).toHaveLength(1);
    expect(server.to(worker.email)[0]!.text).toMatch(/\/inloggen\?code=[A-Za-z0-9_-]{20,}/);
  });

  it('changes the role, disables after the confirmation and enables again', async () => {
    await page.getByLabel('Rol', { exact: true }).selectOption('expert_team');
    await page.getByLabel('Organisatie', { exact: true }).fill('ret-r01');
    await page.getByRole('button', { name: 'Wijzigen' }).click();
    await page.waitForURL(/verstuurd=gewijzigd/);
    expect(await checked()).toContain('De wijziging is opgeslagen.');

    await page.getByRole('link', { name: 'Wim Wijkteam uitschakelen' }).click();
    await page.waitForURL(`${base}/beheer/mensen/${worker.id}/uitschakelen`);
    await checked();
    await page.getByRole('button', { name: 'Ja, Wim Wijkteam uitschakelen' }).click();
    await page.waitForURL(`${base}/beheer/mensen/${worker.id}`);
    expect(await checked()).toContain('Uitgeschakeld sinds');
    await page.getByRole('button', { name: 'Weer inschakelen Wim Wijkteam' }).click();
    await page.waitForURL(`${base}/beheer/mensen/${worker.id}`);
    await checked();
    expect((await ctx.sql('SELECT role, disabled_at FROM users WHERE id = ?', worker.id))[0])
      .toMatchObject({ role: 'expert_team', disabled_at: null });
  });

  it('saves a region deadline in weeks', async () => {
    await page.goto(`${base}/beheer`);
    const overleg = page.getByRole('group', { name: 'Termijn overleg' });
    await overleg.getByLabel('Aantal').fill('3');
    await overleg.getByLabel('Eenheid').selectOption('W');
    await page.getByRole('button', { name: 'Instellingen opslaan' }).click();
    await page.waitForURL(`${base}/beheer/instellingen`);
    expect(await checked()).toContain('De instellingen zijn opgeslagen.');
    expect((await ctx.regions.get('R01')).env.deadlines.overleg).toBe('P3W');
  });

  it('has no accessibility violations on any page', () => {
    expect(violations).toEqual([]);
  });
});
