/**
 * The NEN 7513 access log (issue 4; DOMAIN §5): every route that returns case data leaves a line
 * with who (role, organisation, name, client id), when (the service's clock), which action, exactly
 * which cases were shown, and the inspector's purpose. Reading the log is logged too; only
 * inspectors and admins read it, a regional one its region; its filters and cursor work.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API, caseUrl, expectProblem, trailUrl } from '../support/http.ts';
import { PURPOSE, START } from './support.ts';

interface LoggedAccess {
  seq: number;
  at: string;
  requestId: string;
  route: string;
  action: string;
  actor: { role: string; organisation: string; name: string; clientId: string; region: string };
  purpose: string | null;
  caseIds: string[];
  outcome: 'shown' | 'refused';
}

let ctx: TestContext;
/** R01 cases of wt-noord (newest last), one of wt-zuid, one of R02. */
let noord: string[];
let zuid: string;
let r02: string;

type CallerName = 'localTeam' | 'otherLocalTeam' | 'expertTeam' | 'otherExpertTeam' | 'inspector'
  | 'nationalInspector' | 'otherInspector' | 'admin';

const ok = (res: LightMyRequestResponse): LightMyRequestResponse => {
  expect(res.statusCode, res.body).toBe(200);
  return res;
};

/** Pages through the whole access log as the national inspector (each page read is logged too). */
async function wholeLog(query = ''): Promise<LoggedAccess[]> {
  const items: LoggedAccess[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const params = new URLSearchParams(query);
    params.set('limit', '500');
    if (cursor !== null) params.set('cursor', cursor);
    const page = ok(await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/access-log?${params}` })).json();
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('the access log cursor never ended');
}

/** The line a response left, found by its request id. */
async function lineOf(res: LightMyRequestResponse): Promise<LoggedAccess> {
  const requestId = res.headers['x-request-id'];
  expect(requestId).toBeTypeOf('string');
  const found = (await wholeLog()).filter((e) => e.requestId === requestId);
  expect(found, `access log lines for request ${String(requestId)}`).toHaveLength(1);
  return found[0]!;
}

async function readLog(caller: Caller, query = ''): Promise<{ items: LoggedAccess[]; nextCursor: string | null }> {
  return ok(await ctx.call(caller, { method: 'GET', url: `${API}/access-log${query ? `?${query}` : ''}` })).json();
}

let minute = 0;
/** A distinct clock time for each request, so that "when" is checked for real. */
function tick(): string {
  ctx.clock.set(new Date(Date.parse('2026-03-02T08:00:00.000Z') + ++minute * 60_000));
  return ctx.clock.now().toISOString();
}

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(START);
  noord = [];
  for (let i = 0; i < 4; i++) noord.push(await ctx.createCase());
  for (const id of noord.slice(0, 2)) expect((await ctx.send(ctx.expertTeam, id, events.START_TRIAGE())).statusCode).toBe(200);
  // A fifth with its overleg planned, for the calendar entry.
  noord.push(await ctx.createCase());
  for (const event of [events.START_TRIAGE(), events.ACCEPT(), events.SCHEDULE_OVERLEG()]) {
    expect((await ctx.send(ctx.expertTeam, noord[4]!, event)).statusCode).toBe(200);
  }
  const z = await ctx.call(ctx.otherLocalTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
  zuid = z.json().id;
  const o = await ctx.call(ctx.otherExpertTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
  r02 = o.json().id;
});
afterAll(async () => { await ctx.close(); });

describe('every route that returns case data is walked', () => {
  /** Every GET route of the API, and whether it returns case data (and so is walked below). */
  const GET_ROUTES: Record<string, 'walked' | string> = {
    '/cases': 'walked',
    '/cases/{id}': 'walked',
    '/cases/{id}/notes': 'walked',
    '/cases/{id}/overleg.ics': 'walked',
    '/cases/{id}/trail': 'walked',
    '/cases/{id}/trail/export': 'walked',
    '/access-log': 'walked',
    '/audit/verify': 'walked',
    '/machines/referral': 'the statechart: no case data',
    '/notifications/failed': 'ids and states of failed webhook deliveries, no case content',
    '/reports/signalering': 'walked',
    '/reports/supply': 'walked',
    '/offers': 'the offers register: providers and waiting times, no case data',
    '/offers/{id}': 'one offer and its waiting times, no case data',
    '/expertteams': 'public: municipalities and their teams, no case data',
    '/expertteams/{code}': 'public: one municipality\'s team, no case data',
    '/publications/{regionId}/{quarter}': 'public: a past quarter\'s suppressed figures, no case data',
  };

  it('covers every GET route of the OpenAPI document (a new route, such as a report, must be added here)', async () => {
    const doc = ok(await ctx.call(null, { method: 'GET', url: `${API}/openapi.json` })).json();
    const gets = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([, ops]) => 'get' in ops).map(([path]) => path);
    expect(gets.sort()).toEqual(Object.keys(GET_ROUTES).sort());
  });

  const pageIds = (res: LightMyRequestResponse) => (res.json().items as { id: string }[]).map((i) => i.id);

  interface Walk {
    route: string;
    action: string;
    callers: CallerName[];
    request: () => { url: string; headers?: Record<string, string> };
    /** The case ids the response showed. */
    shown: (res: LightMyRequestResponse) => string[];
  }

  const walks: Walk[] = [
    {
      route: 'GET /cases (first page)', action: 'case.list',
      callers: ['localTeam', 'otherLocalTeam', 'expertTeam', 'otherExpertTeam', 'inspector', 'nationalInspector', 'otherInspector'],
      request: () => ({ url: `${API}/cases?limit=2` }), shown: pageIds,
    },
    {
      route: 'GET /cases (state filter: a search)', action: 'case.list',
      callers: ['expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: `${API}/cases?state=triage` }), shown: pageIds,
    },
    {
      route: 'GET /cases (a page that matches nothing)', action: 'case.list',
      callers: ['localTeam', 'inspector'],
      request: () => ({ url: `${API}/cases?municipality=GM0001` }), shown: () => [],
    },
    {
      route: 'GET /cases/{id}', action: 'case.read',
      callers: ['localTeam', 'expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: caseUrl(noord[0]!) }), shown: () => [noord[0]!],
    },
    {
      route: 'GET /cases/{id}/notes', action: 'case.read',
      callers: ['localTeam', 'expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: `${caseUrl(noord[0]!)}/notes` }), shown: () => [noord[0]!],
    },
    {
      route: 'GET /cases/{id}/overleg.ics', action: 'case.read',
      callers: ['localTeam', 'expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: `${caseUrl(noord[4]!)}/overleg.ics` }), shown: () => [noord[4]!],
    },
    {
      route: 'GET /cases/{id}/trail (JSON)', action: 'trail.read',
      callers: ['expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: trailUrl(noord[1]!) }), shown: () => [noord[1]!],
    },
    {
      route: 'GET /cases/{id}/trail (HTML)', action: 'trail.read',
      callers: ['expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: trailUrl(noord[1]!), headers: { accept: 'text/html' } }), shown: () => [noord[1]!],
    },
    {
      route: 'GET /cases/{id}/trail/export', action: 'trail.export',
      callers: ['expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: `${trailUrl(noord[2]!)}/export` }), shown: () => [noord[2]!],
    },
    {
      route: 'GET /reports/signalering', action: 'report.read',
      callers: ['expertTeam', 'inspector', 'nationalInspector'],
      request: () => ({ url: `${API}/reports/signalering?from=2026-01-01&to=2026-12-31` }), shown: () => [],
    },
    {
      route: 'GET /reports/supply', action: 'report.read',
      callers: ['expertTeam', 'inspector'],
      request: () => ({ url: `${API}/reports/supply?from=2026-01&to=2026-12` }), shown: () => [],
    },
    {
      route: 'GET /audit/verify', action: 'audit.verify',
      callers: ['inspector', 'admin'],
      request: () => ({ url: `${API}/audit/verify` }), shown: () => [],
    },
  ];

  const cases = walks.flatMap((w) => w.callers.map((c) => [w.route, c, w] as const));

  it.each(cases)('%s as %s leaves one line: who, when, action, the cases shown, purpose', async (_route, name, walk) => {
    const caller = ctx[name];
    const at = tick();
    const { url, headers } = walk.request();
    const res = ok(await ctx.call(caller, { method: 'GET', url, headers }));
    const line = await lineOf(res);
    const actor = await ctx.actorOf(caller);
    expect(line).toEqual({
      seq: expect.any(Number),
      at,
      requestId: res.headers['x-request-id'],
      action: walk.action,
      route: expect.stringMatching(/^GET \/api\/v1\//),
      actor: { role: actor.role, organisation: actor.organisation, name: actor.name, clientId: actor.clientId, region: actor.region },
      purpose: caller.role === 'inspector' ? PURPOSE : null,
      caseIds: walk.shown(res),
      outcome: 'shown',
    });
  });

  it('GET /cases with a cursor logs the ids of that page only', async () => {
    const first = ok(await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases?limit=2` }));
    const cursor = first.json().nextCursor as string;
    expect(cursor).toBeTypeOf('string');
    const at = tick();
    const second = ok(await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases?limit=2&cursor=${cursor}` }));
    const ids = pageIds(second);
    expect(ids).toHaveLength(2);
    expect(ids.some((id) => pageIds(first).includes(id))).toBe(false);
    const line = await lineOf(second);
    expect(line).toMatchObject({ at, action: 'case.list', caseIds: ids });
  });

  it('the lists log exactly the cases each caller was shown, never another organisation\'s or region\'s', async () => {
    const local = await lineOf(ok(await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/cases?limit=100` })));
    expect(local.caseIds.sort()).toEqual([...noord].sort());
    const expert = await lineOf(ok(await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases?limit=100` })));
    expect(expert.caseIds.sort()).toEqual([...noord, zuid].sort());
    const national = await lineOf(ok(await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/cases?limit=100` })));
    expect(national.caseIds.sort()).toEqual([...noord, zuid, r02].sort());
  });

  it.each(['inspector', 'nationalInspector', 'admin'] as const)(
    'GET /access-log as %s leaves a line: who, when, access_log.read, purpose', async (name) => {
      const caller = ctx[name];
      const at = tick();
      const res = ok(await ctx.call(caller, { method: 'GET', url: `${API}/access-log?limit=5` }));
      const line = await lineOf(res);
      const actor = await ctx.actorOf(caller);
      expect(line).toMatchObject({
        at, requestId: res.headers['x-request-id'], action: 'access_log.read',
        actor: { role: actor.role, organisation: actor.organisation, name: actor.name, clientId: actor.clientId, region: actor.region },
        purpose: caller.role === 'inspector' ? PURPOSE : null,
        outcome: 'shown',
      });
    });

  it('GET /access-log logs the cases whose access it showed (here: filtered on one case)', async () => {
    // Reading who looked at a case, and why, is a read about that case: the line should name it.
    const res = ok(await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/access-log?caseId=${noord[0]}` }));
    const shown = [...new Set((res.json().items as LoggedAccess[]).flatMap((i) => i.caseIds))];
    expect(shown).toContain(noord[0]);
    const line = await lineOf(res);
    expect(line.action).toBe('access_log.read');
    expect(line.caseIds.sort(), 'the case ids of the access-log lines this read returned').toEqual(shown.sort());
  });

  it('reading the access log is itself logged: the next read shows the previous one', async () => {
    const first = ok(await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/access-log?limit=1` }));
    const second = await readLog(ctx.inspector, 'limit=1');
    expect(second.items[0]).toMatchObject({ requestId: first.headers['x-request-id'], action: 'access_log.read' });
  });
});

describe('who reads the access log', () => {
  it.each(['localTeam', 'otherLocalTeam', 'expertTeam', 'otherExpertTeam'] as const)('%s gets 403', async (name) => {
    expectProblem(await ctx.call(ctx[name], { method: 'GET', url: `${API}/access-log` }), 403, 'FORBIDDEN');
    expectProblem(await ctx.call(ctx[name], { method: 'GET', url: `${API}/access-log?caseId=${noord[0]}` }), 403, 'FORBIDDEN');
  });

  it('nobody without a token', async () => {
    expectProblem(await ctx.call(null, { method: 'GET', url: `${API}/access-log` }), 401, 'UNAUTHENTICATED');
  });

  it('a regional inspector (and admin) sees its region\'s lines, a national inspector all', async () => {
    const r02Read = await ctx.call(ctx.otherExpertTeam, { method: 'GET', url: caseUrl(r02) });
    const r01Read = await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(noord[0]!) });
    const nationalOfR02 = await ctx.call(ctx.nationalInspector, { method: 'GET', url: caseUrl(r02) });
    const nationalOfR01 = await ctx.call(ctx.nationalInspector, { method: 'GET', url: caseUrl(noord[0]!) });
    const r02Inspector = await ctx.call(ctx.otherInspector, { method: 'GET', url: trailUrl(r02) });
    for (const res of [r02Read, r01Read, nationalOfR02, nationalOfR01, r02Inspector]) ok(res);
    const seen = async (caller: Caller) => {
      const ids = new Set((await readLog(caller, 'limit=500')).items.map((i) => i.requestId));
      return [r02Read, r01Read, nationalOfR02, nationalOfR01, r02Inspector].map((r) => ids.has(r.headers['x-request-id'] as string));
    };
    expect(await seen(ctx.inspector)).toEqual([false, true, false, true, false]);
    expect(await seen(ctx.admin)).toEqual([false, true, false, true, false]);
    expect(await seen(ctx.otherInspector)).toEqual([true, false, true, false, true]);
    expect(await seen(ctx.nationalInspector)).toEqual([true, true, true, true, true]);
    // A regional reader never sees a line that is neither by its region nor about its cases.
    const regionCases = new Set([...noord, zuid]);
    for (const line of (await readLog(ctx.inspector, 'limit=500')).items) {
      expect(line.actor.region === 'R01' || line.caseIds.some((id) => regionCases.has(id)), JSON.stringify(line)).toBe(true);
    }
  });
});

describe('filters and cursor of GET /access-log', () => {
  /** Three reads of one case at three known times. */
  let times: string[];
  let requests: string[];
  let target: string;
  beforeAll(async () => {
    target = noord[3]!;
    times = ['2026-04-01T10:00:00.000Z', '2026-04-01T11:00:00.000Z', '2026-04-01T12:00:00.000Z'];
    requests = [];
    for (const at of times) {
      ctx.clock.set(at);
      requests.push(ok(await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(target) })).headers['x-request-id'] as string);
    }
    ctx.clock.set('2026-04-01T13:00:00.000Z');
    ok(await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(noord[2]!) }));
  });

  it('caseId: only lines that name the case, all of them, newest first', async () => {
    const { items } = await readLog(ctx.inspector, `caseId=${target}&limit=500`);
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const line of items) expect(line.caseIds).toContain(target);
    expect(items.map((i) => i.requestId)).toEqual(expect.arrayContaining(requests));
    const seqs = items.map((i) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('caseId: a list that showed the case is found too', async () => {
    const list = ok(await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases?limit=100` }));
    const { items } = await readLog(ctx.inspector, `caseId=${zuid}&limit=500`);
    expect(items.map((i) => i.requestId)).toContain(list.headers['x-request-id']);
  });

  it('caseId must be a UUID', async () => {
    expectProblem(await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/access-log?caseId=nope` }), 400, 'VALIDATION_FAILED');
  });

  it('from (inclusive) and to (exclusive), as the service writes times', async () => {
    const { items } = await readLog(ctx.inspector, `caseId=${target}&from=${times[1]}&to=${times[2]}`);
    expect(items.map((i) => i.requestId)).toEqual([requests[1]]);
    const fromOnly = await readLog(ctx.inspector, `caseId=${target}&from=${times[1]}&limit=500`);
    for (const line of fromOnly.items) expect(line.at >= times[1]!).toBe(true);
    expect(fromOnly.items.map((i) => i.requestId).filter((r) => requests.includes(r))).toEqual([requests[2], requests[1]]);
    const toOnly = await readLog(ctx.inspector, `caseId=${target}&from=2026-04-01T00:00:00.000Z&to=${times[1]}`);
    expect(toOnly.items.map((i) => i.requestId)).toEqual([requests[0]]);
  });

  it('from and to written without milliseconds mean the same instants', async () => {
    const { items } = await readLog(ctx.inspector, `caseId=${target}&from=2026-04-01T11:00:00Z&to=2026-04-01T12:00:00Z`);
    expect(items.map((i) => i.requestId), 'the read at 11:00 (from, inclusive) and not the one at 12:00 (to, exclusive)')
      .toEqual([requests[1]]);
  });

  it('from and to with a UTC offset (Dutch time) mean the same instants', async () => {
    // 12:00+02:00 is 10:00Z and 13:00+02:00 is 11:00Z (CEST): only the first read lies in between.
    const query = new URLSearchParams({ caseId: target, from: '2026-04-01T12:00:00+02:00', to: '2026-04-01T13:00:00+02:00' });
    const { items } = await readLog(ctx.inspector, query.toString());
    expect(items.map((i) => i.requestId), 'the read at 10:00Z = 12:00+02:00, not the one at 12:00Z')
      .toEqual([requests[0]]);
  });

  it('from and to must be date-times', async () => {
    expectProblem(await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/access-log?from=yesterday` }), 400, 'VALIDATION_FAILED');
  });

  it('the cursor pages through every line once, newest first, and ends', async () => {
    const all = (await readLog(ctx.nationalInspector, `caseId=${noord[0]}&limit=500`)).items;
    expect(all.length).toBeGreaterThan(5);
    const paged: LoggedAccess[] = [];
    // Reading the log about this case adds lines about it: page from just above the newest line
    // read so far, so the pages cover exactly `all`.
    let cursor: string | null = String(all[0]!.seq + 1);
    let pages = 0;
    do {
      const query: string = `caseId=${noord[0]}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await readLog(ctx.nationalInspector, query);
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    expect(cursor).toBeNull();
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(paged).toEqual(all);
  });

  it('a cursor it did not give out is refused', async () => {
    expectProblem(await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/access-log?cursor=abc` }), 400, 'VALIDATION_FAILED');
  });
});

describe('refused reads and other regions (issue 13)', () => {
  it('a refused read leaves a `refused` line: 404 on another region\'s case, 403 for an admin, the id asked for', async () => {
    const outside = await ctx.call(ctx.otherExpertTeam, { method: 'GET', url: caseUrl(noord[0]!) });
    expect(outside.statusCode).toBe(404);
    expect(await lineOf(outside)).toMatchObject({
      action: 'case.read', outcome: 'refused', caseIds: [noord[0]], actor: { region: 'R02', role: 'expert_team' },
    });
    const trail = await ctx.call(ctx.otherInspector, { method: 'GET', url: trailUrl(noord[1]!) });
    expect(trail.statusCode).toBe(404);
    expect(await lineOf(trail)).toMatchObject({ action: 'trail.read', outcome: 'refused', caseIds: [noord[1]] });
    const admin = await ctx.call(ctx.admin, { method: 'GET', url: caseUrl(noord[0]!) });
    expect(admin.statusCode).toBe(403);
    expect(await lineOf(admin)).toMatchObject({ action: 'case.read', outcome: 'refused', actor: { role: 'admin' } });
    // A path that is no id of ours is logged without it: the path is the client's text.
    const typed = await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases/Sanne%20Jansen` });
    expect(typed.statusCode).toBe(404);
    expect(await lineOf(typed)).toMatchObject({ action: 'case.read', outcome: 'refused', caseIds: [] });
  });

  it('a regional reader never sees the id of another region\'s case, not even in its own people\'s lines', async () => {
    const attempt = await ctx.call(ctx.otherExpertTeam, { method: 'GET', url: caseUrl(noord[2]!) });
    expect(attempt.statusCode).toBe(404);
    const r01 = new Set([...noord, zuid]);
    for (const reader of [ctx.admin, ctx.inspector]) {
      const seen = (await readLog(reader, 'limit=500')).items;
      for (const line of seen) for (const id of line.caseIds) expect(r01.has(id), JSON.stringify(line)).toBe(true);
    }
    const r02Admin = ctx.otherInspector;
    const theirs = (await readLog(r02Admin, 'limit=500')).items;
    const line = theirs.find((l) => l.requestId === attempt.headers['x-request-id']);
    // R02's own expert team tried an R01 case: R02 sees the attempt, not which case it was.
    expect(line).toMatchObject({ outcome: 'refused', caseIds: [] });
    expect(JSON.stringify(theirs)).not.toContain(noord[2]);
    // Nor can it ask whether an id is a case somewhere: a filter on another region's case finds nothing.
    expect((await readLog(r02Admin, `caseId=${noord[2]}`)).items).toEqual([]);
  });

  it('GET /audit/verify shows a regional reader its own region\'s count and head, a national one the whole log', async () => {
    const national = ok(await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/audit/verify` })).json();
    const r01 = ok(await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/audit/verify` })).json();
    const other = ok(await ctx.call(ctx.otherInspector, { method: 'GET', url: `${API}/audit/verify` })).json();
    const counted = async (text: string, ...params: unknown[]) => ((await ctx.sql(text, ...params))[0] as { n: number }).n;
    const count = (region: string) =>
      counted('SELECT count(*) AS n FROM audit_log a JOIN cases c ON c.id = a.case_id WHERE c.region = ?', region);
    const all = await counted('SELECT count(*) AS n FROM audit_log');
    expect(national).toMatchObject({ ok: true, scope: '*', checked: all });
    expect(r01).toMatchObject({ ok: true, scope: 'R01', checked: await count('R01') });
    expect(other).toMatchObject({ ok: true, scope: 'R02', checked: await count('R02') });
    expect(await count('R01') + await count('R02')).toBeLessThan(all);
    expect(new Set([national.head, r01.head, other.head]).size).toBe(3);
    // The region's head moves when one of its cases gets an entry, not when another region's does.
    expect((await ctx.send(ctx.otherExpertTeam, r02, events.ADD_NOTE())).statusCode).toBe(200);
    const r01After = ok(await ctx.call(ctx.admin, { method: 'GET', url: `${API}/audit/verify` })).json();
    expect(r01After).toMatchObject({ scope: 'R01', checked: r01.checked, head: r01.head });
    const r02After = ok(await ctx.call(ctx.otherInspector, { method: 'GET', url: `${API}/audit/verify` })).json();
    // The note, and a deadline that had passed meanwhile, recorded first.
    expect(r02After.checked).toBe(await count('R02'));
    expect(r02After.checked).toBeGreaterThan(other.checked);
    expect(r02After.head).not.toBe(other.head);
  });
});
