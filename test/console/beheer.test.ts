/**
 * No admin path to a reading session (issue 29, DESIGN §6.3): an admin who could see a sign-in
 * link for a person could sign in as that person and read files. This walks every action Beheer
 * offers an admin (the page, adding each kind of person, every refusal, disabling, the audit
 * check) and keeps every answer the admin gets, headers included; then it proves that none of
 * them carries a sign-in code: no string in them hashes to a sign-in link of the store, and no
 * admin action made a link at all. A regional admin cannot add inspectors or admins (403).
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { notText } from '../fuzz/arbitraries.ts';
import { person, signIn, type Browser } from './session.ts';
import { hashToken } from '../../src/auth/actors.ts';

let ctx: TestContext;
const seen: LightMyRequestResponse[] = [];
let linksAfterSignIn = 0;
let regional: Browser;
let national: Browser;

const links = async () => Number((await ctx.sql('SELECT count(*) AS n FROM sign_in_links'))[0]!.n);
const newPerson = (role: string, n: number) => ({
  name: `Nieuwe Collega ${n}`, email: `collega${n}@example.nl`, role, organisation: 'wt-noord',
});
/** What the admin gets, kept for the search at the end. */
const keep = (res: LightMyRequestResponse): LightMyRequestResponse => { seen.push(res); return res; };

beforeAll(async () => {
  ctx = await createTestContext();
  regional = await signIn(ctx, await person(ctx, 'admin', 'beheer-r01', 'R01', 'Bea Beheer'));
  national = await signIn(ctx, await person(ctx, 'admin', 'beheer-landelijk', '*', 'Lot Landelijk'));
  linksAfterSignIn = await links();
});
afterAll(async () => { await ctx.close(); });

describe('Beheer, every action an admin can take', () => {
  it('shows the page, with only the roles a regional admin may give', async () => {
    const page = keep(await regional.get('/beheer'));
    expect(page.statusCode).toBe(200);
    const roles = [...page.body.matchAll(/<option value="([a-z_]+)"/g)].map((m) => m[1]);
    // A provider (§6.4) reports the waiting times of its offers and reads no case: a regional admin adds one too.
    expect(roles).toEqual(['local_team', 'expert_team', 'provider']);
    expect(page.body).toContain('Inspecteurs en beheerders maakt de applicatiebeheerder aan met de opdrachtregel');
  });

  it('adds a wijkteam worker, an expert-team member and a provider, and says in Dutch who makes the sign-in link', async () => {
    for (const [i, role] of (['local_team', 'expert_team', 'provider'] as const).entries()) {
      const res = keep(await regional.post('/beheer/mensen', newPerson(role, i)));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toContain(`Nieuwe Collega ${i} is aangemaakt.`);
      expect(res.body).toContain('Vraag daarom wie passend draait (de applicatiebeheerder) een inloglink te maken');
      const [created] = await ctx.sql('SELECT id FROM users WHERE email = ?', `collega${i}@example.nl`);
      expect(res.body).toContain(`npm run cli -- user sign-in-link ${created!.id as string}`);
    }
  });

  it('refuses a regional admin who adds an inspector or an admin with 403, and adds nobody', async () => {
    for (const [i, role] of (['inspector', 'admin'] as const).entries()) {
      const res = keep(await regional.post('/beheer/mensen', newPerson(role, 10 + i)));
      expect(res.statusCode).toBe(403);
      expect(await ctx.sql('SELECT id FROM users WHERE email = ?', `collega${10 + i}@example.nl`)).toEqual([]);
    }
  });

  it('answers a form with mistakes, or a known address, with 400 and the form again', async () => {
    for (const form of [{ ...newPerson('expert_team', 20), email: 'geen-adres' }, { ...newPerson('', 21) },
      { ...newPerson('expert_team', 22), email: 'collega0@example.nl' }]) {
      expect(keep(await regional.post('/beheer/mensen', form)).statusCode).toBe(400);
    }
  });

  it('disables a person after a confirmation, and runs the audit check', async () => {
    const [target] = await ctx.sql('SELECT id FROM users WHERE email = ?', 'collega0@example.nl');
    const unconfirmed = keep(await regional.post(`/beheer/mensen/${target!.id as string}/uitschakelen`, {}));
    expect(unconfirmed.statusCode).toBe(303);
    expect(unconfirmed.headers.location).toBe(`/beheer/mensen/${target!.id as string}/uitschakelen`);
    expect((await ctx.sql('SELECT disabled_at FROM users WHERE id = ?', target!.id))[0]!.disabled_at, 'not without confirming').toBeNull();
    const question = keep(await regional.get(unconfirmed.headers.location as string));
    expect(question.body).toContain('Ja, Nieuwe Collega 0 uitschakelen');
    const res = keep(await regional.post(`/beheer/mensen/${target!.id as string}/uitschakelen`, { bevestigd: 'ja' }));
    expect(res.statusCode).toBe(303);
    expect((await ctx.sql('SELECT disabled_at FROM users WHERE id = ?', target!.id))[0]!.disabled_at).not.toBeNull();
    keep(await regional.get(res.headers.location as string));
    keep(await regional.get(`/beheer/mensen/${target!.id as string}`));
    expect(keep(await regional.get('/audit?controleer=ja')).statusCode).toBe(200);
    keep(await regional.get('/'));
  });

  it('lets an admin of region * add an inspector, still without a link', async () => {
    const page = keep(await national.get('/beheer'));
    expect([...page.body.matchAll(/<option value="([a-z_]+)"/g)].map((m) => m[1])).toContain('inspector');
    const res = keep(await national.post('/beheer/mensen', newPerson('inspector', 30)));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Nieuwe Collega 30 is aangemaakt.');
  });

  it('showed the admin no sign-in code anywhere, and made no sign-in link', async () => {
    const hashes = new Set((await ctx.sql('SELECT token_hash AS h FROM sign_in_links')).map((r) => r.h as string));
    for (const res of seen) {
      const text = `${JSON.stringify(res.headers)}\n${res.body}`;
      expect(text).not.toMatch(/inloggen\?code=/);
      for (const candidate of text.match(/[A-Za-z0-9_-]{20,}/g) ?? []) {
        expect(hashes.has(hashToken(candidate)), `${res.statusCode} carries a sign-in code`).toBe(false);
      }
    }
    expect(await links()).toBe(linksAfterSignIn);
    expect(seen.length).toBeGreaterThanOrEqual(12);
  });
});

describe('Beheer for everyone else', () => {
  it('refuses every other role the page and its forms with 403, and changes nothing', async () => {
    const before = await ctx.fingerprint();
    for (const role of ['local_team', 'expert_team', 'inspector'] as const) {
      const other = await signIn(ctx, await person(ctx, role, `org-${role}`));
      if (role === 'inspector') expect((await other.post('/doel', { doel: 'Onderzoek 2026-17' })).statusCode).toBe(303);
      const afterSignIn = await ctx.fingerprint();
      expect((await other.get('/beheer')).statusCode, role).toBe(403);
      expect((await other.post('/beheer/mensen', newPerson('local_team', 40))).statusCode, role).toBe(403);
      const [someone] = await ctx.sql('SELECT id FROM users WHERE email = ?', 'collega1@example.nl');
      expect((await other.post(`/beheer/mensen/${someone!.id as string}/uitschakelen`, {})).statusCode, role).toBe(403);
      expect(await ctx.fingerprint(), role).toBe(afterSignIn);
    }
    expect(before).not.toBe('');
  });

  it('refuses a name or organisation that is not plain text with 400, and adds nobody (fuzz)', async () => {
    let n = 100;
    // A lone surrogate cannot travel in a UTF-8 form (the browser sends U+FFFD): the rest can.
    const sendable = notText.filter((t) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(t));
    await fc.assert(fc.asyncProperty(fc.constantFrom('name', 'organisation'), sendable, async (field, bad) => {
      n += 1;
      const form = { ...newPerson('expert_team', n), [field]: `Jan ${bad}`.slice(0, 200) };
      const res = await regional.post('/beheer/mensen', form);
      expect(res.statusCode).toBe(400);
      expect(await ctx.sql('SELECT id FROM users WHERE email = ?', form.email)).toEqual([]);
    }), { numRuns: 50 });
  });
});
