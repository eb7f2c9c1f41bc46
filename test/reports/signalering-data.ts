/**
 * A known set of cases for the signalering tests, built through the engine over HTTP: every case
 * is submitted and moved on by real events, with the manual clock set to a given day before each
 * event so that every lead time is known. The expected figures in the tests are worked out by
 * hand from the table below.
 *
 * Day 0 is 2026-01-05T09:00Z. Region R01 (the test context's expert team) holds 23 cases:
 *   F0–F5  accepted on day 1,2,3,4,5,10; overleg held 8,10,12,14,25 and (F5) 40 but recorded 30;
 *          advice 10,13,16,19,31,44; help started 12,16,20,25,39,74; closed on day 80
 *   D0–D4  declined on day 2          C0 consultation only, day 3      E0 accepted day 1, escalated day 2
 *   W0     withdrawn on day 1         O0–O8 still open on day 80 (5 submitted, triage, planning,
 *          bridging with a waiting time and no plan, follow-up without help started)
 * Region R02 holds 2 more cases (submitted by its own expert team).
 *
 * Deadlines (defaults; the scheduler runs once on day 80): triage (due day 5) passes for F4 (accepted
 * on day 5 itself), F5, O0–O8 (11 cases); overleg (14 days in planning) only for O3; a checkpoint
 * (28 days after follow-up starts or the last report) for F0–F4, caught up when they close on day
 * 80, F5 (due day 73, caught up by its report on day 74) and O5 (7 cases); reassessment (3 months
 * after the advice) for none yet.
 */
import type { CaseSubmissionInput, EventInputOf, EventType } from '../../machines/referral.schemas.ts';
import type { Caller, TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';

export const DAY = 86_400_000;
export const DAY_0 = Date.parse('2026-01-05T09:00:00Z');
export const dayAt = (day: number): string => new Date(DAY_0 + day * DAY).toISOString();

type Participation = EventInputOf<'RECORD_OVERLEG'>['youth']['participation'];
type Kind = CaseSubmissionInput['referrer']['kind'];

/** A step that starts every help item of the case's advice (their ids are known only then). */
const START_EVERY_ITEM = 'START_EVERY_ITEM';

interface Step {
  day: number;
  name: string;
  /** The event, or a function that makes it on its day (for events whose dates are "now"). */
  event: Event | (() => Event) | typeof START_EVERY_ITEM;
}
type Event = Record<string, unknown> & { type: EventType };

const who = (p: Participation) => (p === 'not_involved' ? { participation: p, reason: 'Wilde niet' } : { participation: p });
const custom = (weeks: number) => helpItem(weeks);
const existing = (weeks: number) => ({ ...helpItem(weeks), kind: 'existing_offer' as const, financing: [] });

function sub(kind: Kind, municipalityCode: string, problemAreas: CaseSubmissionInput['problemAreas'],
  school: CaseSubmissionInput['school']): CaseSubmissionInput {
  return submission({ referrer: { kind }, subject: { reference: 'X-1', birthYear: 2012, municipalityCode },
    problemAreas, school });
}

const notAttending = (since: string) => ({ status: 'not_attending' as const, notAttendingSince: since });
const attending = { status: 'attending' as const };

export const SUBMISSIONS: Record<string, CaseSubmissionInput> = {
  ...Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`F${i}`, sub('professional', 'GM0363',
    ['mental_health', 'education'], i < 3 ? notAttending('2025-06-01') : attending)])),
  ...Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`D${i}`, sub('parent', 'GM0363', ['family'], attending)])),
  C0: sub('youth', 'GM0344', ['safety'], { status: 'not_applicable' }),
  E0: sub('youth', 'GM0344', ['justice'], { status: 'partial' }),
  W0: sub('professional', 'GM0363', ['housing'], attending),
  O0: sub('professional', 'GM0363', ['development'], notAttending('2026-01-01')),
  O1: sub('professional', 'GM0363', ['development'], notAttending('2025-10-01')),
  O2: sub('professional', 'GM0363', ['development'], notAttending('2025-11-01')),
  O3: sub('professional', 'GM0518', ['disability'], { status: 'partial' }),
  O4: sub('professional', 'GM0363', ['addiction'], notAttending('2025-12-01')),
  O5: sub('professional', 'GM0363', ['other'], attending),
  O6: sub('professional', 'GM0363', ['development'], notAttending('2025-12-01')),
  O7: sub('professional', 'GM0363', ['development'], notAttending('2025-09-01')),
  O8: sub('professional', 'GM0363', ['development'], attending),
};

/** Triage, overleg (held, recorded), advice and help-started days of the cases that get that far. */
const FULL = [
  { name: 'F0', accept: 1, held: 8, rec: 9, advice: 10, items: [custom(0)], youth: 'present', parents: 'present', disruptions: ['organisational', 'legal'], started: 12 },
  { name: 'F1', accept: 2, held: 10, rec: 10, advice: 13, items: [custom(1)], plan: 14, youth: 'present', parents: 'present', disruptions: ['organisational'], started: 16 },
  { name: 'F2', accept: 3, held: 12, rec: 13, advice: 16, items: [existing(3)], plan: 16, youth: 'present', parents: 'present', disruptions: ['organisational'], started: 20 },
  { name: 'F3', accept: 4, held: 14, rec: 15, advice: 19, items: [custom(6), existing(0)], plan: 20, youth: 'heard_beforehand', parents: 'present', disruptions: ['organisational', 'content'], notYet: 22, started: 25 },
  { name: 'F4', accept: 5, held: 25, rec: 26, advice: 31, items: [existing(4)], plan: 32, youth: 'represented', parents: 'present', disruptions: ['organisational'], started: 39 },
  { name: 'F5', accept: 10, held: 30, rec: 30, advice: 44, items: [custom(10), existing(2)], plan: 45, youth: 'not_involved', parents: 'not_involved', disruptions: ['conflict'], started: 74 },
  { name: 'O4', accept: 7, held: 12, rec: 12, advice: 15, items: [custom(8)], youth: 'not_involved', parents: 'not_involved', disruptions: [] },
  { name: 'O5', accept: 8, held: 18, rec: 19, advice: 20, items: [existing(0)], youth: 'present', parents: 'not_involved', disruptions: ['legal'], notYet: 25 },
] as const;

function fullSteps(): Step[] {
  return FULL.flatMap((c) => {
    const steps: Step[] = [
      { day: c.accept, name: c.name, event: events.START_TRIAGE() },
      { day: c.accept, name: c.name, event: events.ACCEPT() },
      // planned on the day it is sent (made then, so its date is in order)
      { day: c.accept, name: c.name, event: () => events.SCHEDULE_OVERLEG() },
      { day: c.rec, name: c.name, event: events.RECORD_OVERLEG({ heldAt: dayAt(c.held), youth: who(c.youth),
        parents: who(c.parents), disruptions: [...c.disruptions] }) },
      { day: c.advice, name: c.name, event: events.ISSUE_ADVICE({ helpItems: [...c.items] }) },
    ];
    if ('plan' in c) steps.push({ day: c.plan, name: c.name, event: () => events.SET_BRIDGING_PLAN() });
    if ('notYet' in c) steps.push({ day: c.notYet, name: c.name, event: events.REPORT_PROGRESS({ helpStarted: false }) });
    if ('started' in c) {
      steps.push({ day: c.started, name: c.name, event: events.REPORT_PROGRESS({ helpStarted: true }) });
      steps.push({ day: c.started, name: c.name, event: START_EVERY_ITEM });
    }
    return steps;
  });
}

function otherSteps(): Step[] {
  const step = (day: number, name: string, event: Step['event']): Step => ({ day, name, event });
  return [
    ...[0, 1, 2, 3, 4].flatMap((i) => [step(2, `D${i}`, events.START_TRIAGE()), step(2, `D${i}`, events.DECLINE())]),
    step(3, 'C0', events.START_TRIAGE()), step(3, 'C0', events.CONSULT()),
    step(1, 'E0', events.START_TRIAGE()), step(1, 'E0', events.ACCEPT()), step(2, 'E0', events.ESCALATE()),
    step(1, 'W0', events.WITHDRAW()),
    step(1, 'O2', events.START_TRIAGE()),
    step(6, 'O3', events.START_TRIAGE()), step(6, 'O3', events.ACCEPT()),
    ...[0, 1, 2, 3, 4].map((i) => step(80, `F${i}`, events.CLOSE({ outcome: 'help_in_place', familyViewOfFit: 'fits' }))),
    step(80, 'F5', events.CLOSE({ outcome: 'no_longer_needed', familyViewOfFit: 'partly', explanation: 'The family found help on their own' })),
  ];
}

async function submitAs(ctx: TestContext, caller: Caller, body: CaseSubmissionInput): Promise<string> {
  const res = await ctx.call(caller, { method: 'POST', url: '/api/v1/cases', payload: body });
  if (res.statusCode !== 201) throw new Error(`submit: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** Builds the data set; leaves the clock on day 80 (2026-03-26T09:00Z). Returns the case ids by name. */
export async function buildSignaleringData(ctx: TestContext): Promise<Record<string, string>> {
  ctx.clock.set(dayAt(0));
  const ids: Record<string, string> = {};
  for (const [name, body] of Object.entries(SUBMISSIONS)) ids[name] = await submitAs(ctx, ctx.localTeam, body);
  for (const name of ['R2a', 'R2b']) ids[name] = await submitAs(ctx, ctx.otherExpertTeam, submission());
  const steps = [...fullSteps(), ...otherSteps()].map((s, order) => ({ ...s, order }))
    .sort((a, b) => a.day - b.day || a.order - b.order);
  for (const s of steps) {
    ctx.clock.set(dayAt(s.day));
    const id = ids[s.name]!;
    // START_EVERY_ITEM: every help item of the advice starts (§5.2), one UPDATE_HELP_ITEM each.
    const sent = s.event === START_EVERY_ITEM
      ? ((await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).json().helpItems as { id: string }[])
        .map((item) => events.UPDATE_HELP_ITEM({ itemId: item.id, date: dayAt(s.day).slice(0, 10) }))
      : [typeof s.event === 'function' ? s.event() : s.event];
    for (const event of sent) {
      const res = await ctx.send(ctx.expertTeam, id, event);
      if (res.statusCode !== 200) throw new Error(`${s.name} day ${s.day} ${event.type}: ${res.statusCode} ${res.body}`);
    }
  }
  ctx.clock.set(dayAt(80));
  // Deadlines that passed and were not yet recorded by an event of their case fire now.
  await ctx.app.scheduler.runOnce();
  return ids;
}
