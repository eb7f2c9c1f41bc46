/**
 * The inspector's file review searches the work list by what the inspectorate looks for (the
 * console's dossieronderzoek): youth or parents not involved in the overleg, a family that
 * disagrees with the advice, a case closed without the help started, an escalation, and the
 * referrer's reference. The SQL is written once for both stores (src/store/sql/cases.ts): each
 * filter must find exactly its case on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actors.ts';
import type { WorkFilter } from '../../src/store/port.ts';
import { applied, createTestContext, type TestContext } from '../support/app.ts';
import { events, PATH_TO, submission } from '../support/fixtures.ts';

let ctx: TestContext;
let inspector: Actor;
const ids: Record<string, string> = {};

const send = (id: string, event: unknown): Promise<void> => applied(ctx, id, event);

/** A new case with this reference, taken by the fixture events up to `state`. */
async function caseTo(reference: string, steps: readonly string[]): Promise<string> {
  const base = submission();
  const id = await ctx.createCase(submission({ subject: { ...base.subject, reference } }));
  for (const type of steps) await send(id, events[type as keyof typeof events]());
  return id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  inspector = await ctx.actorOf(ctx.inspector);
  const toOverleg = PATH_TO.overleg_scheduled!;
  ids.plain = await caseTo('WN-PLAIN-1', PATH_TO.follow_up!);

  ids.notInvolved = await caseTo('WN-NIET-2', toOverleg);
  await send(ids.notInvolved, events.RECORD_OVERLEG({
    youth: { participation: 'not_involved', reason: { code: 'refused', explanation: 'Wilde niet komen, ook niet digitaal.' } },
  }));

  ids.disagrees = await caseTo('WN-ONEENS-3', PATH_TO.advising!);
  await send(ids.disagrees, events.ISSUE_ADVICE({ familyResponse: { youth: 'disagrees', parents: 'agrees' } }));

  ids.closedWithoutHelp = await caseTo('WN-ZONDER-4', PATH_TO.follow_up!);
  await send(ids.closedWithoutHelp, events.REPORT_PROGRESS({ helpStarted: false }));
  await send(ids.closedWithoutHelp, events.CLOSE({
    outcome: 'no_longer_needed', explanation: 'Het gezin is verhuisd naar een andere regio.',
  }));

  ids.escalated = await caseTo('WN-OPSCHAAL-5', PATH_TO.follow_up!);
  await send(ids.escalated, events.ESCALATE());
}, 120_000);

afterAll(async () => { await ctx?.close(); });

const found = async (filter: Omit<WorkFilter, 'limit'>): Promise<string[]> =>
  (await ctx.app.services.queries.worklist(inspector, { ...filter, limit: 50 })).map((i) => i.id).sort();

describe('the work list filters of the file review', () => {
  it('lists every case without a filter, each with its reference', async () => {
    const all = await ctx.app.services.queries.worklist(inspector, { limit: 50 });
    expect(all.map((i) => i.id).sort()).toEqual(Object.values(ids).sort());
    expect(all.find((i) => i.id === ids.disagrees)?.reference).toBe('WN-ONEENS-3');
  });

  it('finds the case whose youth was not involved in the overleg, and only that one', async () => {
    expect(await found({ notInvolved: true })).toEqual([ids.notInvolved]);
  });

  it('finds the case whose family disagrees with the advice', async () => {
    expect(await found({ familyDisagrees: true })).toEqual([ids.disagrees]);
  });

  it('finds the case closed after an advice without the help started', async () => {
    expect(await found({ closedWithoutHelp: true })).toEqual([ids.closedWithoutHelp]);
    expect((await ctx.app.services.queries.worklist(inspector, { closedWithoutHelp: true, limit: 5 }))[0]?.closedAs)
      .toBe('no_longer_needed');
  });

  it('finds the escalated case', async () => {
    expect(await found({ escalated: true })).toEqual([ids.escalated]);
  });

  it('combines filters: none of the cases is both escalated and not involved', async () => {
    expect(await found({ escalated: true, notInvolved: true })).toEqual([]);
  });
});
