/**
 * The report reads the facts the engine writes (machines/referral.facts.ts), not the machine's
 * context: a snapshot changed behind its back does not move a figure, the facts of a 1.0.0
 * record read as the report always read them, and facts filled in at start-up are the very ones
 * the engine writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillReportFacts } from '../../src/store/sqlite/facts-backfill.ts';
import { reportFacts, ReportFactsSchema } from '../../machines/referral.facts.ts';
import { recordOf, type PersistedReferral } from '../../machines/referral.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { buildSignaleringData } from './signalering-data.ts';

const URL = '/api/v1/reports/signalering?from=2026-01-01&to=2026-06-30';

let ctx: TestContext;
const report = async () => {
  const res = await ctx.call(ctx.nationalInspector, { method: 'GET', url: URL });
  expect(res.statusCode, res.body).toBe(200);
  const { generatedAt: _g, ...figures } = res.json();
  return figures;
};
const rows = () => ctx.db.$client.prepare('SELECT seq, snapshot, facts FROM cases ORDER BY seq')
  .all() as { seq: number; snapshot: string; facts: string | null }[];

beforeAll(async () => {
  ctx = await createTestContext();
  await buildSignaleringData(ctx);
});
afterAll(() => ctx.close());

describe('report facts', () => {
  it('are written with every change, match the schema and hold no free text or reference', () => {
    const all = rows();
    expect(all.length).toBe(25);
    for (const row of all) {
      const facts = ReportFactsSchema.parse(JSON.parse(row.facts!));
      const record = recordOf(JSON.parse(row.snapshot) as PersistedReferral);
      expect(facts).toEqual(reportFacts(record));
      const text = JSON.stringify(facts);
      expect(text).not.toContain(record.submission.subject.reference);
      expect(text).not.toContain(record.submission.requestForHelp.summary);
    }
  });

  it('are what the report counts: rewriting every snapshot behind the engine moves no figure', async () => {
    const before = await report();
    expect(before.submitted.total).toBeGreaterThan(0);
    ctx.db.$client.prepare(`UPDATE cases SET snapshot = json_set(snapshot,
      '$.context.record.submission.referrer.kind', 'youth', '$.context.record.closure', NULL,
      '$.context.record.advices', json('[]'))`).run();
    expect(await report()).toEqual(before);
    // ...while the facts do move it: they are the source.
    ctx.db.$client.prepare('UPDATE cases SET facts = json_set(facts, \'$.referrer\', \'youth\')').run();
    const after = await report();
    expect(after.submitted.byReferrerKind.find((c: { key: string }) => c.key === 'youth').count)
      .toBe(after.submitted.total);
  });

  it('filled in at start-up from the snapshots are the ones the engine wrote', async () => {
    const original = ctx;
    const fresh = await createTestContext();
    try {
      const { seq } = fresh.db.$client.prepare('SELECT max(seq) AS seq FROM cases').get() as { seq: number | null };
      expect(seq).toBeNull();
      ctx = fresh;
      await buildSignaleringData(ctx);
      const written = rows().map((r) => r.facts);
      const figures = await report();
      ctx.db.$client.prepare('UPDATE cases SET facts = NULL').run();
      expect(backfillReportFacts(ctx.db.$client)).toBe(written.length);
      expect(rows().map((r) => r.facts)).toEqual(written);
      expect(await report()).toEqual(figures);
      expect(backfillReportFacts(ctx.db.$client)).toBe(0);
    } finally {
      ctx = original;
      await fresh.close();
    }
  });
});

describe('reportFacts of a 1.0.0 record', () => {
  it('reads a bare-text reason as `other` and a closing escalation as the closure', () => {
    const facts = ReportFactsSchema.parse(reportFacts(recordOf({
      value: 'closed',
      context: {
        env: {} as never, deadlines: {}, overdue: {},
        record: {
          submission: {
            referrer: { kind: 'professional' }, subject: { birthMonth: '2012-04' }, problemAreas: ['family'],
            school: { status: 'not_attending', notAttendingSince: '2025-09-01' },
          },
          submittedAt: '2026-01-05T09:00:00.000Z', triageStart: null, informationRequests: [], informationAnswers: [],
          triageDecision: { type: 'ACCEPT', at: '2026-01-06T09:00:00.000Z' }, overlegSchedules: [],
          overlegRecords: [{
            type: 'RECORD_OVERLEG', at: '2026-01-09T09:00:00.000Z', heldAt: '2026-01-08T09:00:00.000Z',
            youth: { participation: 'not_involved', reason: 'te jong' }, parents: { participation: 'present' },
            disruptions: ['legal'],
          }],
          advices: [], bridgingPlans: [], progressReports: [], reassessments: [], notes: [],
          closure: { type: 'ESCALATE', to: 'supra_regional', reason: 'x', at: '2026-01-10T09:00:00.000Z' },
        },
      },
    } as unknown as PersistedReferral)));
    expect(facts).toMatchObject({
      birthYear: 2012,
      school: [{ status: 'not_attending', notAttendingSince: '2025-09-01' }],
      closure: { type: 'ESCALATE', outcome: null, familyViewOfFit: null },
      firstEscalationAt: null,
      overleggen: [{ youth: { participation: 'not_involved', reason: 'other' },
        parents: { participation: 'present', reason: null }, disruptions: ['legal'] }],
    });
  });
});
