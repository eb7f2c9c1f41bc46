/**
 * Beheer with mail (DESIGN §6.3, issue 25), on either store, against a real SMTP server in this
 * process: a new sign-in link for an existing person (and for a person just added) goes by mail
 * to that person's own address and works there, while no page, header or redirect the admin gets
 * carries a sign-in code; disable after a confirmation and enable again; a change of role and
 * organisation; a regional admin's forged forms to add or promote an inspector or admin change
 * nothing (403); region deadlines in days, weeks and months; API clients with their last use.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/actors.ts';
import type { User } from '../../src/store/rows.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { MailServer } from '../notifications/smtp.ts';
import { encodeForm, person, signIn, type Browser } from './session.ts';

const BASE = 'https://passend.regio.example';
let server: MailServer;
let ctx: TestContext;
let admin: Browser;
let worker: User;
const seen: LightMyRequestResponse[] = [];
const keep = (res: LightMyRequestResponse): LightMyRequestResponse => { seen.push(res); return res; };
const userRow = async (id: string) => (await ctx.sql('SELECT role, organisation, disabled_at FROM users WHERE id = ?', id))[0]!;

beforeAll(async () => {
  server = await new MailServer().start();
  ctx = await createTestContext({ config: { SMTP_URL: server.url, MAIL_FROM: 'passend@regio.example', PUBLIC_URL: BASE } });
  admin = await signIn(ctx, await person(ctx, 'admin', 'beheer-r01', 'R01', 'Bea Beheer'));
  worker = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
});
afterAll(async () => {
  await ctx.close();
  await server.close();
});

/** The code of the last sign-in mail to this address. */
function mailedCode(address: string): string {
  const mail = server.to(address).at(-1);
  expect(mail, `a mail to ${address}`).toBeDefined();
  const url = new URL(/https:\/\/\S+\/inloggen\?code=\S+/.exec(mail!.text)![0]);
  expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/inloggen`);
  return url.searchParams.get('code')!;
}

describe('a new sign-in link, by mail only', () => {
  it('"Nieuwe inloglink sturen" mails the person a link that signs them in; the admin is told it was sent', async () => {
    const page = keep(await admin.get(`/beheer/mensen/${worker.id}`));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nieuwe inloglink sturen');
    const sent = keep(await admin.post(`/beheer/mensen/${worker.id}/inloglink`, {}));
    expect(sent.statusCode).toBe(303);
    const after = keep(await admin.get(sent.headers.location as string));
    expect(after.body).toContain('Er is een nieuwe inloglink naar het e-mailadres van Wim Wijkteam gestuurd');

    const mail = server.to(worker.email).at(-1)!;
    expect(mail.subject).toBe('passend: uw inloglink');
    const code = mailedCode(worker.email);
    const signedIn = await ctx.app.inject({
      method: 'POST', url: '/inloggen', payload: encodeForm({ code }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(signedIn.statusCode).toBe(303);
    expect(String(signedIn.headers['set-cookie'])).toMatch(/=/);
  });

  it('mails a person just added their link; the page says so and shows no link', async () => {
    const res = keep(await admin.post('/beheer/mensen', {
      name: 'Nieuwe Collega', email: 'nieuw@example.nl', role: 'expert_team', organisation: 'ret-r01',
    }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Nieuwe Collega is aangemaakt en krijgt een inloglink per e-mail.');
    expect(mailedCode('nieuw@example.nl')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('a server that refuses: the admin is told, and still sees no link', async () => {
    server.refuse = true;
    try {
      const sent = keep(await admin.post(`/beheer/mensen/${worker.id}/inloglink`, {}));
      expect(sent.headers.location).toBe(`/beheer/mensen/${worker.id}?verstuurd=mislukt`);
      expect(keep(await admin.get(sent.headers.location as string)).body).toContain('kon niet worden verstuurd');
    } finally {
      server.refuse = false;
    }
  });
});

describe('a regional admin cannot make inspectors or admins', () => {
  it('a forged form to add an inspector or an admin is 403 and adds nobody', async () => {
    for (const role of ['inspector', 'admin']) {
      const res = keep(await admin.post('/beheer/mensen', { name: 'Ingo Inspecteur', email: `${role}@example.nl`, role, organisation: 'igj' }));
      expect(res.statusCode).toBe(403);
      expect(await ctx.sql('SELECT id FROM users WHERE email = ?', `${role}@example.nl`)).toEqual([]);
    }
  });

  it('a forged change that promotes a worker to inspector or admin is 403 and changes nothing', async () => {
    for (const role of ['inspector', 'admin']) {
      const res = keep(await admin.post(`/beheer/mensen/${worker.id}`, { role, organisation: 'igj' }));
      expect(res.statusCode).toBe(403);
      expect(await userRow(worker.id)).toMatchObject({ role: 'local_team', organisation: 'wt-noord' });
    }
  });

  it('an inspector of the region is not the regional admin\'s to change or enable', async () => {
    const inspector = await person(ctx, 'inspector', 'igj', 'R01', 'Iris Inspecteur');
    expect(keep(await admin.post(`/beheer/mensen/${inspector.id}`, { role: 'local_team', organisation: 'wt-noord' })).statusCode).toBe(403);
    expect(await userRow(inspector.id)).toMatchObject({ role: 'inspector' });
  });

  it('an admin of region * may add an inspector', async () => {
    const national = await signIn(ctx, await person(ctx, 'admin', 'beheer', '*', 'Lot Landelijk'));
    const res = keep(await national.post('/beheer/mensen', { name: 'Ingo', email: 'ingo@example.nl', role: 'inspector', organisation: 'igj' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(await ctx.sql('SELECT role FROM users WHERE email = ?', 'ingo@example.nl')).toEqual([{ role: 'inspector' }]);
  });
});

describe('role, organisation, disable and enable', () => {
  it('changes role and organisation; the person signs in again as what they now are', async () => {
    const someone = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Sam Wissel');
    const theirs = await signIn(ctx, someone);
    expect((await theirs.get('/')).statusCode, 'signed in: sent on to their home').toBe(303);
    const bad = keep(await admin.post(`/beheer/mensen/${someone.id}`, { role: 'expert_team', organisation: '' }));
    expect(bad.statusCode).toBe(400);
    expect(await userRow(someone.id)).toMatchObject({ role: 'local_team', organisation: 'wt-noord' });
    const res = keep(await admin.post(`/beheer/mensen/${someone.id}`, { role: 'expert_team', organisation: 'ret-r01' }));
    expect(res.statusCode).toBe(303);
    expect(await userRow(someone.id)).toMatchObject({ role: 'expert_team', organisation: 'ret-r01' });
    expect((await theirs.get('/')).statusCode, 'their session ended: the sign-in page').toBe(200);
    expect(keep(await admin.get(res.headers.location as string)).body).toContain('De wijziging is opgeslagen.');
  });

  it('disables only after the confirmation, and enables again', async () => {
    const someone = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Dirk Tijdelijk');
    const question = keep(await admin.get(`/beheer/mensen/${someone.id}/uitschakelen`));
    expect(question.body).toContain('Ja, Dirk Tijdelijk uitschakelen');
    expect((await userRow(someone.id)).disabled_at).toBeNull();
    keep(await admin.post(`/beheer/mensen/${someone.id}/uitschakelen`, {}));
    expect((await userRow(someone.id)).disabled_at, 'no confirmation, no change').toBeNull();
    keep(await admin.post(`/beheer/mensen/${someone.id}/uitschakelen`, { bevestigd: 'ja' }));
    expect((await userRow(someone.id)).disabled_at).not.toBeNull();
    const disabled = keep(await admin.get(`/beheer/mensen/${someone.id}`));
    expect(disabled.body).toContain('Weer inschakelen');
    expect(disabled.body).not.toContain('Nieuwe inloglink sturen');
    keep(await admin.post(`/beheer/mensen/${someone.id}/inschakelen`, {}));
    expect((await userRow(someone.id)).disabled_at).toBeNull();
    expect(await ctx.app.services.people.signInLink(someone.id, ctx.clock.now())).toEqual(expect.any(String));
  });
});

describe('region settings and API clients', () => {
  it('saves deadlines given in days, weeks and months; a wrong number changes nothing', async () => {
    const form = {
      'triage.aantal': '7', 'triage.eenheid': 'D', 'triageUrgent.aantal': '1', 'triageUrgent.eenheid': 'D',
      'overleg.aantal': '3', 'overleg.eenheid': 'W', 'advice.aantal': '2', 'advice.eenheid': 'W',
      'checkpoint.aantal': '4', 'checkpoint.eenheid': 'W', 'reassessment.aantal': '6', 'reassessment.eenheid': 'M',
      'escalation.aantal': '21', 'escalation.eenheid': 'D', bridgingThresholdWeeks: '8',
    };
    const res = keep(await admin.post('/beheer/instellingen', form));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('De instellingen zijn opgeslagen.');
    const saved = await ctx.regions.get('R01');
    expect(saved.env.deadlines).toMatchObject({ triage: 'P7D', overleg: 'P3W', checkpoint: 'P4W', reassessment: 'P6M', escalation: 'P21D' });
    expect(saved.env.bridgingThresholdWeeks).toBe(8);
    // The form shows them back in the same units.
    expect(res.body).toMatch(/name="reassessment\.aantal"[^>]*value="6"/);

    for (const wrong of [{ 'overleg.aantal': '0' }, { 'overleg.aantal': 'drie' }, { 'overleg.eenheid': 'Y' }, { 'reassessment.aantal': '25' }]) {
      const refused = keep(await admin.post('/beheer/instellingen', { ...form, 'overleg.aantal': '5', ...wrong }));
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('De instellingen zijn niet gewijzigd');
      expect((await ctx.regions.get('R01')).env.deadlines.overleg).toBe('P3W');
    }
  });

  it('lists API clients with their last use', async () => {
    const before = keep(await admin.get('/beheer'));
    expect(before.body).toContain('Laatst gebruikt');
    ctx.clock.set('2026-01-05T09:05:00Z');
    expect((await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/cases' })).statusCode).toBe(200);
    // The write is not awaited by the request: wait for it to land.
    await expect.poll(async () => (await ctx.app.services.clients.list()).find((c) => c.name === 'expert_team ret-r01')?.lastUsedAt)
      .toBe('2026-01-05T09:05:00.000Z');
    const page = keep(await admin.get('/beheer'));
    expect(page.body).toMatch(/expert_team ret-r01<\/td>(?:<td[^>]*>.*?<\/td>){3}<td class="utrecht-table__cell"><time datetime="2026-01-05T09:05:00.000Z"/);
  });
});

describe('what the admin saw', () => {
  it('carried no sign-in code: no string in any answer hashes to a link of the store', async () => {
    const hashes = new Set((await ctx.sql('SELECT token_hash AS h FROM sign_in_links')).map((r) => r.h as string));
    expect(hashes.size).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeGreaterThanOrEqual(20);
    for (const res of seen) {
      const text = `${JSON.stringify(res.headers)}\n${res.body}`;
      expect(text).not.toMatch(/inloggen\?code=/);
      for (const candidate of text.match(/[A-Za-z0-9_-]{20,}/g) ?? []) {
        expect(hashes.has(hashToken(candidate)), `${res.statusCode} carries a sign-in code`).toBe(false);
      }
    }
  });
});
