/**
 * E-mail notices (DESIGN §6.3) against a real SMTP server in this process (smtp-server on
 * 127.0.0.1), every mail parsed with mailparser, on either store: who gets a mail when a question
 * waits for their organisation or a commitment of theirs passes its day; that a mail holds the
 * case's number and a link into the console and nothing of the file; `daily` gets one digest,
 * `off` nothing; a server that refuses is tried again with backoff until the notice is on the
 * failure list; without SMTP_URL nothing is sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { apply, readCase } from '../support/http.ts';
import { person } from '../console/session.ts';
import { MailServer } from './smtp.ts';
import { MAX_ATTEMPTS } from '../../src/notifications/webhook-deliverer.ts';
import { nextDigestAt, noticesFor } from '../../src/notifications/notices.ts';
import type { User } from '../../src/store/rows.ts';

const BASE = 'https://passend.regio.example';
const QUESTION = 'Welke school is er geprobeerd, en door wie precies?';

let server: MailServer;
let ctx: TestContext;
let noord: User;
let noordDaily: User;
let noordOff: User;
let noordDisabled: User;
let zuid: User;
let expert: User;

beforeAll(async () => {
  server = await new MailServer().start();
  ctx = await createTestContext({ config: { SMTP_URL: server.url, MAIL_FROM: 'passend <passend@regio.example>', PUBLIC_URL: BASE } });
  const people = ctx.app.services.people;
  noord = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Noor Noord');
  noordDaily = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Daan Dagelijks');
  noordOff = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Olaf Uit');
  noordDisabled = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Dirk Weg');
  zuid = await person(ctx, 'local_team', 'wt-zuid', 'R01', 'Zoë Zuid');
  expert = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Eva Expert');
  await people.setNotices(noordDaily.id, 'daily');
  await people.setNotices(noordOff.id, 'off');
  await people.disable(noordDisabled.id, ctx.clock.now());
});
afterAll(async () => {
  await ctx.close();
  await server.close();
});
beforeEach(() => {
  server.mails.length = 0;
  server.refuse = false;
});

const mailRows = (caseId: string) => ctx.sql('SELECT * FROM outbox WHERE recipient IS NOT NULL AND case_id = ? ORDER BY seq', caseId);

describe('a question waits for the referring organisation', () => {
  it('mails each active local-team person of that organisation at once: the case number and a link, nothing of the file', async () => {
    ctx.clock.set('2026-01-05T09:00:00Z');
    const id = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, id, events.REQUEST_INFORMATION({ question: QUESTION }));
    await ctx.app.scheduler.runOnce();

    // Not the expert team, not another organisation, not `daily` (later), `off` or disabled people.
    expect(server.mails.map((m) => m.to).flat()).toEqual([noord.email]);
    expect(expert.organisation).toBe('ret-r01');
    const [mail] = server.to(noord.email);
    const number = id.slice(0, 8);
    expect(mail!.from).toBe('passend@regio.example');
    expect(mail!.subject).toBe(`passend: Er ligt een vraag voor uw organisatie (casus ${number})`);
    expect(mail!.text).toContain(`${BASE}/casussen/${id}`);
    expect(mail!.html).toContain(`href="${BASE}/casussen/${id}"`);
    expect(mail!.text).toContain(`casus ${number}`);
    // Nothing of the file: not the question, not the youth's reference or words, no names.
    const sub = submission();
    for (const secret of [QUESTION, 'school is er geprobeerd', sub.subject.reference, sub.requestForHelp.inWordsOfYouth,
      sub.requestForHelp.inWordsOfParents!, sub.requestForHelp.summary, 'Wijkteam Noord', noord.name, 'GM0363']) {
      expect(mail!.raw, secret).not.toContain(secret);
    }
    // The outbox row names the person and the case, and holds no content or address either.
    const rows = await mailRows(id);
    expect(rows.map((r) => r.recipient).sort()).toEqual([noord.id, noordDaily.id].sort());
    for (const row of rows) {
      expect(row.kind).toBe('question_waiting');
      expect(String(row.payload)).not.toContain(QUESTION);
      expect(String(row.payload)).not.toContain('@');
    }
    expect(rows.find((r) => r.recipient === noord.id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('gives a `daily` person one digest the next morning with the links of all their notices; `off` gets nothing', async () => {
    ctx.clock.set('2026-01-12T10:00:00Z');
    // The digest of the test before went out on the 6th (this round): from here on, only this test's.
    await ctx.app.scheduler.runOnce();
    server.mails.length = 0;
    const first = await ctx.caseIn('triage');
    const second = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, first, events.REQUEST_INFORMATION({ question: QUESTION }));
    await apply(ctx, ctx.expertTeam, second, events.REQUEST_INFORMATION({ question: QUESTION }));
    await ctx.app.scheduler.runOnce();
    expect(server.to(noord.email)).toHaveLength(2);
    expect(server.to(noordDaily.email)).toEqual([]);
    // `off` and the disabled person have no notice at all.
    for (const id of [first, second]) {
      expect((await mailRows(id)).map((r) => r.recipient)).not.toContain(noordOff.id);
      expect((await mailRows(id)).map((r) => r.recipient)).not.toContain(noordDisabled.id);
    }

    ctx.clock.set('2026-01-13T05:59:00Z');
    await ctx.app.scheduler.runOnce();
    expect(server.to(noordDaily.email)).toEqual([]);
    ctx.clock.set('2026-01-13T06:00:00Z'); // 07:00 in Amsterdam
    await ctx.app.scheduler.runOnce();
    const digests = server.to(noordDaily.email);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.subject).toBe('passend: uw overzicht van vandaag (2 berichten)');
    for (const id of [first, second]) expect(digests[0]!.text).toContain(`${BASE}/casussen/${id}`);
    expect(digests[0]!.raw).not.toContain(QUESTION);
    expect(server.to(noordOff.email)).toEqual([]);
    expect(server.to(noordDisabled.email)).toEqual([]);
    await ctx.app.scheduler.runOnce();
    expect(server.to(noordDaily.email), 'sent once').toHaveLength(1);
  });

  it('skips the notices of a person who turned notices off after they were queued', async () => {
    ctx.clock.set('2026-01-14T10:00:00Z');
    const id = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, id, events.REQUEST_INFORMATION({ question: QUESTION }));
    await ctx.app.services.people.setNotices(noordDaily.id, 'off');
    ctx.clock.set('2026-01-15T06:00:00Z');
    await ctx.app.scheduler.runOnce();
    expect(server.to(noordDaily.email)).toEqual([]);
    expect((await mailRows(id)).find((r) => r.recipient === noordDaily.id)).toMatchObject({ status: 'skipped' });
    await ctx.app.services.people.setNotices(noordDaily.id, 'daily');
  });
});

describe('a commitment of an organisation passes its day', () => {
  it('mails the people of the organisation that promised it', async () => {
    ctx.clock.set('2026-02-02T09:00:00Z');
    const id = await ctx.caseIn('overleg_scheduled');
    // The overleg's invitation went to the wijkteam when it was planned: this is about the commitment.
    await ctx.app.scheduler.runOnce();
    server.mails.length = 0;
    await apply(ctx, ctx.expertTeam, id, events.RECORD_OVERLEG({
      commitments: [{ organisation: 'wt-zuid', action: 'Een huisbezoek met de school afleggen', dueAt: '2026-02-04' }],
    }));
    await ctx.app.scheduler.runOnce();
    expect(server.mails).toEqual([]);
    ctx.clock.set('2026-02-05T08:00:00Z');
    await ctx.app.scheduler.runOnce();
    // (The daily digest of the overleg's invitation goes out this morning too; it is not about the commitment.)
    const due = server.mails.filter((m) => !m.subject.includes('uw overzicht van vandaag'));
    expect(due.map((m) => m.to).flat()).toEqual([zuid.email]);
    expect(due[0]!.subject).toBe(`passend: Een afspraak van uw organisatie is verlopen (casus ${id.slice(0, 8)})`);
    expect(due[0]!.raw).not.toContain('huisbezoek');
    expect((await readCase(ctx, id)).overdue).toBe(true);
  });
});

describe('a mail server that refuses', () => {
  it('is tried again with backoff; after the last attempt the notice is on the failure list, and can be put back', async () => {
    ctx.clock.set('2026-03-02T09:00:00Z');
    server.refuse = true;
    const id = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, id, events.REQUEST_INFORMATION({ question: QUESTION }));
    await ctx.app.scheduler.runOnce();
    let [row] = (await mailRows(id)).filter((r) => r.recipient === noord.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'SMTP 550' });
    expect(row!.next_attempt_at).toBe('2026-03-02T09:00:01.000Z');
    for (let i = 2; i <= MAX_ATTEMPTS; i++) {
      ctx.clock.advance(60 * 60_000);
      await ctx.app.scheduler.runOnce();
    }
    [row] = (await mailRows(id)).filter((r) => r.recipient === noord.id);
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, last_error: 'SMTP 550' });
    expect(server.refused).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    expect(server.mails).toEqual([]);

    const failed = await ctx.call(ctx.admin, { method: 'GET', url: '/api/v1/notifications/failed' });
    expect(failed.statusCode).toBe(200);
    const listed = (failed.json().items as { id: string; kind: string; channel: string; notification: object }[])
      .find((n) => n.id === row!.id);
    expect(listed).toMatchObject({ kind: 'question_waiting', channel: 'mail', notification: { userId: noord.id, caseId: id } });
    expect(JSON.stringify(listed)).not.toContain(noord.email);

    server.refuse = false;
    expect(await ctx.app.services.outbox.retryFailed(row!.id as string, ctx.clock.now().toISOString())).toBe(1);
    await ctx.app.scheduler.runOnce();
    expect(server.to(noord.email)).toHaveLength(1);
  });
});

describe('the regisseur (§6.3)', () => {
  it('is mailed when a case is assigned to them, and when a deadline of their case passes; nothing of the file', async () => {
    ctx.clock.set('2026-03-02T09:00:00Z');
    const id = await ctx.caseIn('triage');
    await ctx.app.scheduler.runOnce();
    server.mails.length = 0;
    await apply(ctx, ctx.expertTeam, id, events.ASSIGN({ userId: expert.id }));
    await ctx.app.scheduler.runOnce();
    expect(server.mails.map((m) => [m.to, m.subject])).toEqual([
      [[expert.email], `passend: U bent regisseur van een casus (casus ${id.slice(0, 8)})`],
    ]);
    expect(server.mails[0]!.text).toContain(`${BASE}/casussen/${id}`);
    expect(server.mails[0]!.raw).not.toContain(submission().subject.reference);
    expect(server.mails[0]!.raw).not.toContain(expert.name);
    // The triage deadline passes: the regisseur is told, and nobody else about this case.
    server.mails.length = 0;
    ctx.clock.set('2026-03-20T09:00:00Z');
    await ctx.app.scheduler.runOnce();
    const own = server.mails.filter((m) => m.text.includes(id));
    expect(own.map((m) => [m.to, m.subject])).toEqual([
      [[expert.email], `passend: Een termijn van uw casus is verstreken (casus ${id.slice(0, 8)})`],
    ]);
  });
});

describe('the overleg\'s invitation (§6.3)', () => {
  it('goes to the referring wijkteam and the regisseur with the calendar entry attached: time, case number, link; nothing of the file', async () => {
    ctx.clock.set('2026-04-06T09:00:00Z');
    const id = await ctx.caseIn('planning_overleg');
    await apply(ctx, ctx.expertTeam, id, events.ASSIGN({ userId: expert.id }));
    await ctx.app.scheduler.runOnce();
    server.mails.length = 0;
    await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG({ scheduledAt: '2026-04-14T13:00:00.000Z', agenda: 'Schoolgang en thuissituatie' }));
    await ctx.app.scheduler.runOnce();
    const invitations = server.mails.filter((m) => m.subject.startsWith('passend: Uitnodiging: overleg over een casus'));
    expect(invitations.map((m) => m.to).flat().sort()).toEqual([expert.email, noord.email].sort());
    for (const mail of invitations) {
      expect(mail.attachments).toHaveLength(1);
      const [ics] = mail.attachments;
      expect(ics!.contentType).toBe('text/calendar');
      expect(ics!.filename).toBe(`overleg-${id}.ics`);
      expect(ics!.content).toContain('BEGIN:VEVENT');
      expect(ics!.content).toContain('DTSTART:20260414T130000Z');
      expect(ics!.content).toContain(`casus ${id.slice(0, 8)}`);
      // Nothing of the file: not the referrer's reference, not the agenda, no names.
      for (const secret of [submission().subject.reference, 'Schoolgang', expert.name, noord.name]) {
        expect(mail.raw, secret).not.toContain(secret);
        expect(ics!.content, secret).not.toContain(secret);
      }
    }
  });
});

describe('the hooks the regisseur is wired to', () => {
  it('noticesFor: one row per person, due now for instant, at the digest for daily, none for off, never twice', () => {
    const rows = noticesFor('assigned', { id: '00000000-0000-4000-8000-000000000001', region: 'R01' },
      [{ id: 'a', notices: 'instant' }, { id: 'b', notices: 'daily' }, { id: 'c', notices: 'off' }, { id: 'a', notices: 'instant' }],
      '2026-01-05T09:00:00.000Z');
    expect(rows.map((r) => [r.recipient, r.kind, r.nextAttemptAt])).toEqual([
      ['a', 'assigned', '2026-01-05T09:00:00.000Z'], ['b', 'assigned', '2026-01-06T06:00:00.000Z'],
    ]);
    expect(nextDigestAt('2026-07-01T04:59:00.000Z')).toBe('2026-07-01T05:00:00.000Z'); // summer time
  });
});

describe('without SMTP_URL', () => {
  it('queues the notices with their step and skips them: no mail is sent', async () => {
    const plain = await createTestContext();
    try {
      const someone = await person(plain, 'local_team', 'wt-noord', 'R01', 'Zonder Mail');
      const id = await plain.caseIn('triage');
      await apply(plain, plain.expertTeam, id, events.REQUEST_INFORMATION({ question: QUESTION }));
      const round = await plain.app.scheduler.runOnce();
      expect(round.delivery.skipped).toBeGreaterThanOrEqual(1);
      const rows = await plain.sql('SELECT status FROM outbox WHERE recipient = ?', someone.id);
      expect(rows).toEqual([{ status: 'skipped' }]);
      expect(server.mails).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
