/**
 * Mijn werk (DESIGN §6.3), on either store: what waits for whom (src/cases/waiting.ts) read
 * through the store for a person of the expert team (the open cases they run) and of a local team
 * (its organisation's open cases where a question, help items, a checkpoint or a commitment of
 * its own waits), and the console page that shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor } from '../../src/auth/people.ts';
import type { User } from '../../src/store/rows.ts';
import { applied, createTestContext, type TestContext } from '../support/app.ts';
import { events, PATH_TO, submission } from '../support/fixtures.ts';
import { person, signIn } from '../console/session.ts';

let ctx: TestContext;
let anna: User;
let bram: User;
let wim: User;
let zoe: User;
const ids: Record<string, string> = {};

/** A case of the local team wt-noord with this reference, by the fixture events up to `state`. */
async function caseTo(reference: string, state: keyof typeof PATH_TO, extra: Record<string, unknown> = {}): Promise<string> {
  const base = submission();
  const id = await ctx.createCase(submission({ subject: { ...base.subject, reference } }));
  for (const type of PATH_TO[state]!) {
    const event = type === 'RECORD_OVERLEG' ? events.RECORD_OVERLEG(extra) : events[type]();
    await applied(ctx, id, event);
  }
  return id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  anna = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Anna de Regisseur');
  bram = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Bram Bos');
  wim = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
  zoe = await person(ctx, 'local_team', 'wt-zuid', 'R01', 'Zoë Zuid');
  ids.question = await caseTo('MW-VRAAG', 'awaiting_information');
  ids.followUp = await caseTo('MW-VOLGEN', 'follow_up');
  ids.promise = await caseTo('MW-AFSPRAAK', 'advising', {
    commitments: [{ organisation: ' WT-Noord ', action: 'Zoekt een school in de buurt', dueAt: '2026-02-01' }],
  });
  ids.otherPromise = await caseTo('MW-ANDER', 'advising', {
    commitments: [{ organisation: 'GGZ Noord', action: 'Start de intake', dueAt: '2026-02-01' }],
  });
  ids.triage = await caseTo('MW-TRIAGE', 'triage');
  ids.closed = await caseTo('MW-DICHT', 'triage');
  for (const id of [ids.triage!, ids.followUp!, ids.closed!]) await applied(ctx, id, events.ASSIGN({ userId: anna.id }));
  // Assigned before it closed: a closed case is no one's work.
  await applied(ctx, ids.closed!, events.WITHDRAW());
  await applied(ctx, ids.question!, events.ASSIGN({ userId: bram.id }));
}, 60_000);
afterAll(async () => ctx.close());

const myWork = (user: User) => ctx.app.services.queries.myWork(personActor(user));

describe('mijn werk for a person of the expert team', () => {
  it('lists the open cases they are regisseur of, with what the expert team does next and the nearest deadline', async () => {
    const items = await myWork(anna);
    expect(items.map((i) => i.reference).sort()).toEqual(['MW-TRIAGE', 'MW-VOLGEN']);
    const triage = items.find((i) => i.reference === 'MW-TRIAGE')!;
    expect(triage.waiting).toEqual([{ kind: 'triage_decision', party: 'expert_team', dueAt: triage.nextDue?.dueAt, overdue: false }]);
    expect(triage.nextDue?.name).toBe('triage');
    // Another regisseur's case is theirs only.
    expect((await myWork(bram)).map((i) => i.reference)).toEqual(['MW-VRAAG']);
  });

  it('puts what is overdue first, then the nearest deadline', async () => {
    const other = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Olga Overdue');
    const early = await caseTo('MW-LATER', 'planning_overleg');
    const late = await caseTo('MW-EERDER', 'triage');
    for (const id of [early, late]) await applied(ctx, id, events.ASSIGN({ userId: other.id }));
    // Triage was due five days after submission, the overleg later: 6 days on, triage is overdue.
    ctx.clock.advance(6 * 86_400_000);
    const items = await myWork(other);
    ctx.clock.advance(-6 * 86_400_000);
    expect(items.map((i) => [i.reference, i.overdue])).toEqual([['MW-EERDER', true], ['MW-LATER', false]]);
  });
});

describe('mijn werk for a person of a local team', () => {
  it('lists its own cases where something waits for it: a question, help items and a checkpoint, a commitment it owes', async () => {
    const items = await myWork(wim);
    const byRef = Object.fromEntries(items.map((i) => [i.reference, i.waiting.map((w) => w.kind).sort()]));
    expect(byRef).toEqual({
      'MW-VRAAG': ['question'],
      'MW-VOLGEN': ['checkpoint', 'help_items'],
      'MW-AFSPRAAK': ['commitment'],
    });
    const promise = items.find((i) => i.reference === 'MW-AFSPRAAK')!.waiting[0]!;
    // Written as "WT-Noord" at the table, owed by wt-noord: names that differ only in case and spaces are the same.
    expect(promise).toMatchObject({ party: 'organisation', organisation: 'WT-Noord', dueAt: '2026-02-01T23:00:00.000Z', overdue: false });
  });

  it('another local team sees none of them, and its own page says nothing waits', async () => {
    expect(await myWork(zoe)).toEqual([]);
    const page = await (await signIn(ctx, zoe)).get('/mijn-werk');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Er ligt nu niets voor u klaar.');
  });

  it('the console page marks each case "Er ligt iets voor u" and says what; a signed-in person lands there', async () => {
    const browser = await signIn(ctx, wim);
    const page = await browser.get('/mijn-werk');
    expect(page.statusCode).toBe(200);
    for (const reference of ['MW-VRAAG', 'MW-VOLGEN', 'MW-AFSPRAAK']) expect(page.body).toContain(reference);
    expect(page.body).not.toContain('MW-TRIAGE');
    expect(page.body.match(/Er ligt iets voor u/g)).toHaveLength(3);
    expect(page.body).toContain('Een vraag van het expertteam beantwoorden');
    expect(page.body).toContain('Een afspraak van uw organisatie nakomen');
    // The list is logged as a list of cases (NEN 7513).
    const logged = await ctx.sql("SELECT case_ids FROM access_log WHERE action = 'case.list' ORDER BY seq DESC LIMIT 1");
    expect(String(logged[0]?.case_ids)).toContain(ids.question);
  });
});
