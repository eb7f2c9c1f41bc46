/**
 * The exported trail verifies on its own (issue 4): GET /cases/{id}/trail/export written to a file
 * is checked by scripts/verify-trail-export.ts without the database, and every tampering with the
 * file is found at the right entry. Also: the export's fields and hashes, the Dutch HTML timeline
 * (escaped), and who may read either.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { TrailExportSchema, type TrailExport } from '../../src/audit/trail-export.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { expectProblem, readTrail, trailUrl } from '../support/http.ts';
import { DAY, runVerifyExport, START, tempDir } from './support.ts';

const tmp = tempDir('passend-export-');
let ctx: TestContext;
let caseId: string;
let otherCaseId: string;
let exported: TrailExport;
let exportResponse: LightMyRequestResponse;
let exportedAt: string;

const SCRIPT_NOTE = '<script>alert("x")</script> & <b>vet</b>';
const IMG_SUMMARY = 'Vastgelopen <img src=x onerror=alert(1)> tussen school & zorg';

const exportUrl = (id: string) => `${trailUrl(id)}/export`;

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(START);
  caseId = await ctx.createCase(submission({ requestForHelp: { summary: IMG_SUMMARY } }));
  const send = async (event: object, who = ctx.expertTeam) => {
    ctx.clock.advance(3_600_000);
    const res = await ctx.send(who, caseId, event);
    expect(res.statusCode, res.body).toBe(200);
  };
  await send(events.START_TRIAGE());
  await send(events.ADD_NOTE({ text: SCRIPT_NOTE }), ctx.localTeam);
  await send(events.REQUEST_INFORMATION());
  await send(events.PROVIDE_INFORMATION(), ctx.localTeam);
  ctx.clock.advance(6 * DAY);
  expect((await ctx.app.scheduler.runOnce()).timersFired).toBeGreaterThanOrEqual(1);
  await send(events.ACCEPT());
  await send(events.SCHEDULE_OVERLEG());
  otherCaseId = await ctx.caseIn('triage');
  ctx.clock.advance(60_000);
  exportedAt = ctx.clock.now().toISOString();
  exportResponse = await ctx.call(ctx.inspector, { method: 'GET', url: exportUrl(caseId) });
  expect(exportResponse.statusCode, exportResponse.body).toBe(200);
  exported = exportResponse.json();
});
afterAll(async () => {
  await ctx.close();
  tmp.remove();
});

let files = 0;
function writeExport(content: unknown): string {
  const file = join(tmp.dir, `trail-${++files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const copy = (): TrailExport => structuredClone(exported);

describe('GET /cases/{id}/trail/export', () => {
  it('is a JSON attachment that follows the export schema', () => {
    expect(exportResponse.headers['content-type']).toMatch(/^application\/json/);
    expect(exportResponse.headers['content-disposition']).toBe(`attachment; filename="trail-${caseId}.json"`);
    expect(TrailExportSchema.safeParse(exported).success).toBe(true);
  });

  it('names the case, the moment, the exporter and how to verify', async () => {
    const actor = await ctx.actorOf(ctx.inspector);
    expect(exported).toMatchObject({
      format: 'passend-trail-export/2', caseId, exportedAt,
      exportedBy: { role: 'inspector', organisation: actor.organisation, name: actor.name },
      verification: { algorithm: 'sha256', genesis: '0'.repeat(64) },
    });
    expect(exported.verification.description).toMatch(/sha256/);
  });

  it('holds every entry of the case, in order, with all its fields and hashes', async () => {
    const trail = await readTrail(ctx, caseId, ctx.inspector);
    expect(exported.entries.map((e) => e.eventType)).toEqual(trail.entries.map((e) => e.type));
    expect(exported.entries.map((e) => e.eventType)).toEqual([
      'SUBMIT', 'START_TRIAGE', 'ADD_NOTE', 'REQUEST_INFORMATION', 'PROVIDE_INFORMATION', 'DEADLINE_PASSED',
      'ACCEPT', 'SCHEDULE_OVERLEG',
    ]);
    const keys = [
      'seq', 'at', 'action', 'caseId', 'caseSeq', 'actorRole', 'actorOrganisation', 'actorName', 'actorClientId',
      'onBehalfOf', 'eventType', 'fromState', 'toState', 'machineVersion', 'payload', 'payloadHash',
      'prevCaseHash', 'caseHash', 'prevLogHash', 'logHash',
    ];
    let previousSeq = 0;
    for (const [i, e] of exported.entries.entries()) {
      expect(Object.keys(e).sort()).toEqual([...keys].sort());
      expect(e.caseId).toBe(caseId);
      expect(e.caseSeq).toBe(i + 1);
      expect(e.seq).toBeGreaterThan(previousSeq);
      previousSeq = e.seq;
      expect(e.machineVersion).toBe(REFERRAL_MACHINE_VERSION);
      for (const h of [e.prevCaseHash, e.caseHash, e.prevLogHash, e.logHash]) expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(e.prevCaseHash).toBe(i === 0 ? '0'.repeat(64) : exported.entries[i - 1]!.caseHash);
      expect(JSON.parse(e.payload)).toEqual(trail.entries[i]!.payload);
      expect(e.at).toBe(trail.entries[i]!.at);
      expect(e.toState).toBe(trail.entries[i]!.state);
    }
    expect(exported.head).toBe(exported.entries.at(-1)!.caseHash);
  });

  it('lets anyone recompute the hashes from its own description, without passend\'s code', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    let previous = exported.verification.genesis;
    for (const e of exported.entries) {
      expect(e.payloadHash).toBe(sha(e.payload));
      const hash = sha(JSON.stringify([e.seq, e.at, e.action, e.caseId, e.caseSeq, e.actorRole, e.actorOrganisation,
        e.actorName, e.actorClientId, e.onBehalfOf, e.eventType, e.fromState, e.toState, e.machineVersion,
        e.payloadHash, 'payload-sha256']));
      expect(e.caseHash).toBe(sha(previous + hash));
      expect(e.logHash).toBe(sha(e.prevLogHash + hash));
      previous = e.caseHash!;
    }
    expect(exported.head).toBe(previous);
  });

  it('a later export extends the earlier one without changing it', async () => {
    const res = await ctx.send(ctx.expertTeam, otherCaseId, events.ADD_NOTE());
    expect(res.statusCode).toBe(200);
    const note = await ctx.send(ctx.expertTeam, caseId, events.ADD_NOTE({ text: 'Later' }));
    expect(note.statusCode).toBe(200);
    const later: TrailExport = (await ctx.call(ctx.nationalInspector, { method: 'GET', url: exportUrl(caseId) })).json();
    expect(later.entries).toHaveLength(exported.entries.length + 1);
    expect(later.entries.slice(0, exported.entries.length)).toEqual(exported.entries);
    expect(later.entries.at(-1)!.prevCaseHash).toBe(exported.head);
  });
});

describe('scripts/verify-trail-export.ts', () => {
  it('checks the untouched file without the database: exit 0, ok true, every entry checked', async () => {
    const result = await runVerifyExport(writeExport(exported));
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toEqual({ ok: true, checked: exported.entries.length });
  });

  it('checks the export of another case too', async () => {
    const other: TrailExport = (await ctx.call(ctx.inspector, { method: 'GET', url: exportUrl(otherCaseId) })).json();
    const result = await runVerifyExport(writeExport(other));
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toEqual({ ok: true, checked: other.entries.length });
  });

  const entry = (i: number) => exported.entries[i]!;

  const tamperings: [string, () => TrailExport, () => { seq: number; checked: number; reason?: RegExp }][] = [
    ['a payload character changed', () => {
      const file = copy();
      const note = file.entries[2]!;
      expect(note.payload).toContain('alert');
      note.payload = note.payload.replace('alert', 'alart');
      return file;
    }, () => ({ seq: entry(2).seq, checked: 2 })],
    ['a payload character changed in the first entry (the submission)', () => {
      const file = copy();
      file.entries[0]!.payload = file.entries[0]!.payload.replace('GM0363', 'GM0364');
      return file;
    }, () => ({ seq: entry(0).seq, checked: 0 })],
    ['the time of an entry changed', () => {
      const file = copy();
      file.entries[5]!.at = '2026-01-06T09:00:00.000Z';
      return file;
    }, () => ({ seq: entry(5).seq, checked: 5 })],
    ['an entry dropped from the middle', () => {
      const file = copy();
      file.entries.splice(3, 1);
      return file;
    }, () => ({ seq: entry(4).seq, checked: 3 })],
    ['the first entry dropped', () => {
      const file = copy();
      file.entries.shift();
      return file;
    }, () => ({ seq: entry(1).seq, checked: 0 })],
    ['the last entry dropped', () => {
      const file = copy();
      file.entries.pop();
      return file;
    }, () => ({ seq: entry(exported.entries.length - 2).seq, checked: exported.entries.length - 1, reason: /head/ })],
    ['two entries swapped', () => {
      const file = copy();
      [file.entries[1], file.entries[4]] = [file.entries[4]!, file.entries[1]!];
      return file;
    }, () => ({ seq: entry(4).seq, checked: 1 })],
    ['two neighbouring entries swapped', () => {
      const file = copy();
      [file.entries[5], file.entries[6]] = [file.entries[6]!, file.entries[5]!];
      return file;
    }, () => ({ seq: entry(6).seq, checked: 5 })],
    ['the head changed', () => {
      const file = copy();
      file.head = entry(3).caseHash!;
      return file;
    }, () => ({ seq: entry(exported.entries.length - 1).seq, checked: exported.entries.length, reason: /head/ })],
    ['the state an entry led to changed', () => {
      const file = copy();
      file.entries[6]!.toState = 'closed';
      return file;
    }, () => ({ seq: entry(6).seq, checked: 6 })],
  ];

  it.each(tamperings)('finds %s: exit 1 and the right firstBroken', async (_name, make, expected) => {
    const result = await runVerifyExport(writeExport(make()));
    const { seq, checked, reason } = expected();
    expect(result.code, result.stderr).toBe(1);
    const body = result.json() as { ok: boolean; checked: number; firstBroken: { seq: number; reason: string } };
    expect(body.ok).toBe(false);
    expect(body.firstBroken.seq).toBe(seq);
    expect(body.checked).toBe(checked);
    if (reason) expect(body.firstBroken.reason).toMatch(reason);
  });

  it('finds an entry of another case added to the file', async () => {
    const other: TrailExport = (await ctx.call(ctx.inspector, { method: 'GET', url: exportUrl(otherCaseId) })).json();
    const stranger = other.entries[1]!;
    for (const at of ['end', 'middle'] as const) {
      const file = copy();
      if (at === 'end') file.entries.push(stranger);
      else file.entries.splice(3, 0, stranger);
      const result = await runVerifyExport(writeExport(file));
      expect(result.code, at).toBe(1);
      expect(result.json(), at).toMatchObject({ ok: false, firstBroken: { seq: stranger.seq, reason: 'belongs to another case' } });
    }
  });

  it('finds a file whose case id was rewritten to another case (entries and all)', async () => {
    const file = copy();
    file.caseId = otherCaseId;
    for (const e of file.entries) e.caseId = otherCaseId;
    const result = await runVerifyExport(writeExport(file));
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ ok: false, firstBroken: { seq: entry(0).seq } });
  });

  it('refuses a file that is not a trail export: exit 1, ok false', async () => {
    const result = await runVerifyExport(writeExport({ caseId, entries: [] }));
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ ok: false, checked: 0 });
  });

  it('without a file argument prints its usage and exits 2', async () => {
    const result = await runVerifyExport('');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage/);
  });
});

describe('GET /cases/{id}/trail as a printable Dutch page', () => {
  let html: string;
  beforeAll(async () => {
    const res = await ctx.call(ctx.inspector, { method: 'GET', url: trailUrl(caseId), headers: { accept: 'text/html' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    html = res.body;
  });

  it('is a Dutch page with Dutch labels for every kind of entry on it', () => {
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<html lang="nl">');
    for (const label of ['Dossierverloop', 'Aanmelding', 'Triage gestart', 'Notitie', 'Informatie gevraagd',
      'Informatie gegeven', 'Termijn verstreken', 'Aangenomen', 'Overleg gepland', 'door scheduler (systeem)',
      'lokaal team', 'expertteam', 'overleg wordt gepland',
      // the payload's members by the labels of the forms that write them (one set of labels)
      'Procesregisseur', 'Wat is de vraag?', 'Geboortejaar', 'Toestemming van de jongere']) {
      expect(html, label).toContain(label);
    }
    expect(html).not.toContain('DEADLINE_PASSED');
    expect(html).not.toContain('START_TRIAGE');
    expect(html).not.toContain('<dt>coordinator</dt>');
  });

  it('shows every entry once, in order, with its check code', async () => {
    const items = html.match(/<h2>[^<]*<\/h2>/g) ?? [];
    const trail: TrailExport = (await ctx.call(ctx.inspector, { method: 'GET', url: exportUrl(caseId) })).json();
    expect(items).toHaveLength(trail.entries.length);
    expect(items.slice(0, 3)).toEqual(['<h2>Aanmelding</h2>', '<h2>Triage gestart</h2>', '<h2>Notitie</h2>']);
    for (const e of trail.entries) expect(html).toContain(`controlecode ${e.caseHash}`);
  });

  it('escapes HTML in payload text: no script or markup from a note or the submission reaches the page', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('<b>vet</b>');
    // The pages share src/http/html.ts escapeHtml (named entities).
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;');
    expect(html).toContain('Vastgelopen &lt;img src=x onerror=alert(1)&gt; tussen school &amp; zorg');
  });

  it('is served to the expert team of the region too', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: trailUrl(caseId), headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Dossierverloop');
  });

  it('JSON stays the default, also for Accept: application/json, text/html', async () => {
    for (const accept of [undefined, 'application/json, text/html']) {
      const res = await ctx.call(ctx.inspector, { method: 'GET', url: trailUrl(caseId), headers: accept ? { accept } : {} });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json().caseId).toBe(caseId);
    }
  });
});

describe('who may read the trail and its export', () => {
  const reads = [
    ['trail (JSON)', (id: string) => ({ url: trailUrl(id) })],
    ['trail (HTML)', (id: string) => ({ url: trailUrl(id), headers: { accept: 'text/html' } })],
    ['export', (id: string) => ({ url: exportUrl(id) })],
  ] as const;

  it.each(reads)('the local team that submitted the case gets 403 on the %s', async (_name, request) => {
    expectProblem(await ctx.call(ctx.localTeam, { method: 'GET', ...request(caseId) }), 403, 'FORBIDDEN');
  });

  it.each(reads)('another local team gets 404 on the %s', async (_name, request) => {
    expectProblem(await ctx.call(ctx.otherLocalTeam, { method: 'GET', ...request(caseId) }), 404, 'NOT_FOUND');
  });

  it.each(reads)('an admin gets 403 on the %s', async (_name, request) => {
    expectProblem(await ctx.call(ctx.admin, { method: 'GET', ...request(caseId) }), 403, 'FORBIDDEN');
  });

  it.each(reads)('the expert team of another region gets 404 on the %s', async (_name, request) => {
    expectProblem(await ctx.call(ctx.otherExpertTeam, { method: 'GET', ...request(caseId) }), 404, 'NOT_FOUND');
  });

  it('the expert team of the region exports it', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: exportUrl(caseId) });
    expect(res.statusCode).toBe(200);
    expect(res.json().exportedBy.role).toBe('expert_team');
  });

  it('an unknown case is 404', async () => {
    expectProblem(await ctx.call(ctx.inspector, { method: 'GET', url: exportUrl('00000000-0000-4000-8000-000000000000') }), 404, 'NOT_FOUND');
  });
});
