/**
 * Retention (R14, DESIGN §5.6), as an operator runs it: `retention run --as-of` 21 years after a
 * region's cases last changed destroys their content; each answers 410; the audit still verifies
 * from the command line; the signalering of their period is unchanged; the access log about them
 * is gone; the words that were in them are nowhere in the database file any more. A case changed
 * later is kept; `retention erase` destroys one earlier, with the decision's reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from './support/app.ts';
import { events, submission } from './support/fixtures.ts';
import { API, caseUrl, expectProblem, trailUrl } from './support/http.ts';
import { runCli, tempDir } from './audit/support.ts';
import { buildSignaleringData } from './reports/signalering-data.ts';
import { residue } from '../src/retention/retention.ts';

const SECRET_REFERENCE = 'RET-Vermeulen-7731';
const SECRET_NOTE = 'Oma Vermeulen belde over de logeerweekenden';
const REPORT = `${API}/reports/signalering?from=2026-01-01&to=2026-06-30`;

const tmp = tempDir('passend-retention-');
const path = join(tmp.dir, 'passend.db');
let ctx: TestContext;
let old: string;
let later: string;
let before: Record<string, unknown>;

const report = async () => {
  const res = await ctx.call(ctx.nationalInspector, { method: 'GET', url: REPORT });
  expect(res.statusCode, res.body).toBe(200);
  const { generatedAt: _g, period, ...figures } = res.json();
  return { ...figures, period: { ...period, asOf: undefined } };
};

beforeAll(async () => {
  ctx = await createTestContext({ path });
  await buildSignaleringData(ctx);
  ctx.clock.set('2026-03-01T09:00:00Z');
  old = await ctx.createCase(submission({ subject: { ...submission().subject, reference: SECRET_REFERENCE } }));
  expect((await ctx.send(ctx.expertTeam, old, events.ADD_NOTE({ text: SECRET_NOTE }))).statusCode).toBe(200);
  expect((await ctx.call(ctx.inspector, { method: 'GET', url: caseUrl(old) })).statusCode).toBe(200);
  later = await ctx.createCase();
  ctx.clock.set('2030-05-01T09:00:00Z');
  expect((await ctx.send(ctx.expertTeam, later, events.ADD_NOTE())).statusCode).toBe(200);
  before = await report();
});
afterAll(async () => { await ctx.close(); tmp.remove(); });

describe('retention run --as-of 21 years on', () => {
  let erased: string[];
  let linesBefore: number;
  beforeAll(async () => {
    linesBefore = (ctx.db.$client.prepare('SELECT max(seq) FROM access_log').pluck().get() as number);
    // Before: the words are in the file (so that their absence afterwards means something).
    ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(path).toString('latin1')).toContain(SECRET_NOTE);
    const run = await runCli(path, 'retention', 'run', '--as-of', '2047-06-01');
    expect(run.code, run.stderr).toBe(0);
    erased = run.json().erased as string[];
  });

  it('destroys every file last changed more than 20 years before, and keeps the one changed in 2030', () => {
    expect(erased).toContain(old);
    expect(erased).not.toContain(later);
    expect(erased.length).toBe(26);
  });

  it('answers 410 GONE for the case, its events, its trail and its export, and lists it no more', async () => {
    expectProblem(await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(old) }), 410, 'GONE');
    expectProblem(await ctx.send(ctx.expertTeam, old, events.ADD_NOTE()), 410, 'GONE');
    expectProblem(await ctx.call(ctx.inspector, { method: 'GET', url: trailUrl(old) }), 410, 'GONE');
    expectProblem(await ctx.call(ctx.inspector, { method: 'GET', url: `${trailUrl(old)}/export` }), 410, 'GONE');
    const listed = (await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases?limit=100` })).json().items;
    expect(listed.map((c: { id: string }) => c.id)).toEqual([later]);
    // Another region's reader still gets 404: whether a case existed is not told across regions.
    expectProblem(await ctx.call(ctx.otherExpertTeam, { method: 'GET', url: caseUrl(old) }), 404, 'NOT_FOUND');
  });

  it('leaves an audit trail that verifies, with the erasure recorded', async () => {
    const verify = await runCli(path, 'audit', 'verify');
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.json()).toMatchObject({ ok: true });
    const entries = ctx.db.$client.prepare("SELECT payload FROM audit_log WHERE action = 'case_erased'").pluck()
      .all() as string[];
    expect(entries.map((p) => JSON.parse(p))).toContainEqual({ caseId: old, basis: 'retention' });
  });

  it('keeps the signalering of the period as it was', async () => {
    expect(await report()).toEqual(before);
  });

  it('removes the access log about the destroyed files (attempts made since are new lines)', async () => {
    const lines = ctx.db.$client.prepare('SELECT case_ids FROM access_log WHERE seq <= ?').pluck()
      .all(linesBefore) as string[];
    for (const ids of lines) expect(ids).not.toContain(old);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('leaves the words of the file nowhere in the database file or its WAL', () => {
    for (const file of [path, `${path}-wal`]) {
      let bytes: string;
      try { bytes = readFileSync(file).toString('latin1'); } catch { continue; }
      expect(bytes.includes(SECRET_REFERENCE), file).toBe(false);
      expect(bytes.includes(SECRET_NOTE), file).toBe(false);
    }
  });

  it('is idempotent: a second run destroys nothing more', async () => {
    const again = await runCli(path, 'retention', 'run', '--as-of', '2047-06-01');
    expect(again.json()).toMatchObject({ erased: [] });
  });
});

describe('an erasure the law requires earlier', () => {
  it('destroys one file now, recording the decision\'s reference; the trail of other files stays append-only', async () => {
    const run = await runCli(path, 'retention', 'erase', later, '--reference', 'AP-besluit 2030-118');
    expect(run.code, run.stderr).toBe(0);
    expectProblem(await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(later) }), 410, 'GONE');
    const entry = ctx.db.$client.prepare("SELECT payload FROM audit_log WHERE action = 'case_erased' ORDER BY seq DESC LIMIT 1")
      .pluck().get() as string;
    expect(JSON.parse(entry)).toEqual({ caseId: later, basis: 'legal_obligation', reference: 'AP-besluit 2030-118' });
    expect((await runCli(path, 'retention', 'erase', later)).code).toBe(2);
    expect((await runCli(path, 'audit', 'verify')).code).toBe(0);
  });

  it('the database still refuses to change the trail of a case that was not erased', async () => {
    ctx.clock.set('2030-06-01T09:00:00Z');
    const kept = await ctx.createCase(submission({ subject: { ...submission().subject, birthYear: 2020 } }));
    expect((await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(kept) })).statusCode).toBe(200);
    for (const sql of [
      "UPDATE case_events SET payload = '{}' WHERE case_id = ?",
      "UPDATE audit_log SET payload = '{}', erased_at = 'x' WHERE case_id = ?",
      'DELETE FROM access_log WHERE case_ids LIKE \'%\' || ? || \'%\'',
    ]) {
      expect(() => ctx.db.$client.prepare(sql).run(kept), sql).toThrow(/append-only/);
    }
    expect((await ctx.send(ctx.expertTeam, kept, events.START_TRIAGE())).statusCode).toBe(200);
  });
});

describe('residue', () => {
  it('keeps only the codes, ids and dates the figures count, never text', () => {
    expect(JSON.parse(residue('ADD_NOTE', JSON.stringify({ text: SECRET_NOTE })))).toEqual({ erased: true });
    expect(JSON.parse(residue('UPDATE_HELP_ITEM', JSON.stringify({
      itemId: 'i', status: 'stopped', date: '2026-01-05', reason: 'Gezin verhuisd naar Utrecht',
    })))).toEqual({ erased: true, itemId: 'i', status: 'stopped', date: '2026-01-05' });
    expect(JSON.parse(residue('ESCALATE', JSON.stringify({ to: 'ben', target: 'BEN', question: 'q', reason: 'r' }))))
      .toEqual({ erased: true, to: 'ben' });
    expect(JSON.parse(residue('ISSUE_ADVICE', JSON.stringify({ summary: 's', helpItems: [{ id: 'h', description: 'd' }] }))))
      .toEqual({ erased: true, helpItems: [{ id: 'h' }] });
  });
});
