/**
 * POST /api/v1/cases/{id}/events with bad input of every shape (DESIGN §3, §4). The checks run
 * in the order 404 → 403 → 400 → 412 → 409 → 422; a refused event changes nothing. Where a
 * mutated body is still a valid event it may be applied (200): each target case's version and
 * trail must then have grown by exactly the number of 200s it got.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_SCHEMAS, EVENT_TYPES, isEventType,
} from '../../machines/referral.schemas.ts';
import { maySend } from '../../machines/referral.roles.ts';
import { BODY_LIMIT } from '../../src/app.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { anyJson, badIfMatch, brokenJsonText, eventTypeLike, FIXTURE_FREE_TEXT, marker, mutate, mutationsOf, nodePaths, nonJsonType, notAnObjectText, notText, oddText, unknownKey } from './arbitraries.ts';
import {
  API, readJsonBody, caseMark, markedCases, expectProblem, expectStatus, probe, RUNS, storeFingerprint, visibleCases,
  type CaseMark,
  type ContractOptions, type Response,
} from './contract.ts';

/** What the expert team must get for this JSON text, sent without If-Match to a case it sees. */
function expectedFor(text: string, role: Caller['role'] = 'expert_team'): number[] {
  const body = readJsonBody(text);
  if (body === undefined) return [400];
  const parsed = body.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [400];
  const type = (parsed as { type?: unknown }).type;
  if (!isEventType(type)) return [400];
  if (!maySend(role, type)) return [403];
  // The fuzzed cases were referred by a professional: their local team answers questions (§5.1).
  if (type === 'PROVIDE_INFORMATION' && role !== 'local_team') return [403];
  return EVENT_SCHEMAS[type].safeParse(parsed).success ? [200, 409, 422] : [400];
}

/** The status is in the expected class, with the code that class has. */
function expectClass(res: Response, expected: number[]): void {
  expectStatus(res, expected);
  const code = ({ 400: 'VALIDATION_FAILED', 403: 'FORBIDDEN', 409: 'EVENT_NOT_ALLOWED' } as const)[res.statusCode as 400];
  if (code) expectStatus(res, expected, code);
}

describe('fuzz: POST /cases/{id}/events', () => {
  let ctx: TestContext;
  /** target cases in several states, with what they looked like and the events applied since */
  const targets: { id: string; mark: CaseMark; applied: number }[] = [];
  let visibleBefore: number;
  const personal: ContractOptions = { forbidden: FIXTURE_FREE_TEXT };

  beforeAll(async () => {
    ctx = await createTestContext();
    targets.push(...await markedCases(ctx, ['submitted', 'triage', 'advising', 'follow_up', 'closed']));
    visibleBefore = await visibleCases(ctx);
  });
  afterAll(async () => { await ctx.close(); });

  // Every target is at its old version plus the events that were valid and applied, no more.
  afterEach(async () => {
    for (const t of targets) {
      const now = await caseMark(ctx, t.id);
      expect(now.version).toBe(t.mark.version + t.applied);
      expect(now.trailEntries).toBe(t.mark.trailEntries + t.applied);
    }
    expect(await visibleCases(ctx)).toBe(visibleBefore);
  });

  const target = () => fc.nat(4).map((i) => targets[i]!);

  async function send(caller: Caller | null, t: { id: string; applied: number }, payload: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    contract: ContractOptions = personal): Promise<Response> {
    const res = await probe(ctx, caller, { method: 'POST', url: `${API}/cases/${t.id}/events`, payload, headers }, contract);
    if (res.statusCode === 200) t.applied += 1;
    return res;
  }

  const eventType = fc.constantFrom(...EVENT_TYPES);
  const mutatedEvent = eventType.chain((type) => {
    const valid = events[type]();
    return mutationsOf(valid, fc.oneof(anyJson, eventTypeLike)).map((m) => JSON.stringify(mutate(valid, m)));
  });

  it('answers an event body mutated at random paths by its class: 400, 403, or 200/409/422 when still valid', async () => {
    await fc.assert(fc.asyncProperty(target(), mutatedEvent, async (t, text) => {
      const res = await send(ctx.expertTeam, t, text);
      expectClass(res, expectedFor(text));
      if (res.statusCode === 409) {
        const problem = res.json<{ code: string; state: unknown; allowedEvents: unknown }>();
        expect(problem.code).toBe('EVENT_NOT_ALLOWED');
        expect(typeof problem.state).toBe('string');
        expect(Array.isArray(problem.allowedEvents)).toBe(true);
      }
    }), { numRuns: RUNS.many });
  });

  it('answers unknown and non-string event types with 400, whatever the payload', async () => {
    await fc.assert(fc.asyncProperty(
      target(), eventTypeLike.filter((t) => !isEventType(t)),
      fc.dictionary(unknownKey.filter((k) => k !== 'type'), anyJson, { maxKeys: 4 }),
      fc.boolean(), async (t, type, payload, typeFirst) => {
        const body = typeFirst ? { type, ...payload } : { ...payload, type };
        const res = await send(ctx.expertTeam, t, JSON.stringify(body));
        expectProblem(res, 400, 'VALIDATION_FAILED');
      }), { numRuns: RUNS.normal });
  });

  it('answers malformed JSON text with 400', async () => {
    const text = eventType.chain((type) => brokenJsonText(events[type]()));
    await fc.assert(fc.asyncProperty(target(), text, async (t, body) => {
      const res = await send(ctx.expertTeam, t, body);
      expectClass(res, expectedFor(body));
    }), { numRuns: RUNS.normal });
  });

  it('answers arrays, primitives and empty bodies with 400', async () => {
    await fc.assert(fc.asyncProperty(target(), notAnObjectText, async (t, text) => {
      expectProblem(await send(ctx.expertTeam, t, text), 400, 'VALIDATION_FAILED');
    }), { numRuns: RUNS.few });
  });

  it('never echoes a value put into a field of an event', async () => {
    const placed = fc.tuple(marker, fc.nat(5)).map(([m, i]): [string, unknown] =>
      [m, [m, `${m}${'x'.repeat(10_001)}`, [m], { [m.slice(0, 6)]: m }, m.padEnd(201, '!'), 42][i]]);
    const body = fc.tuple(eventType, placed).chain(([type, [m, value]]) => {
      const valid = events[type]();
      const paths = nodePaths(valid).filter((p) => p.length > 0);
      return fc.record({
        m: fc.constant(m),
        text: fc.tuple(fc.constantFrom(...paths), fc.boolean(), unknownKey).map(([path, extra, key]) => JSON.stringify(
          extra ? mutate(valid, [{ kind: 'add', path: [], key, value }]) : mutate(valid, [{ kind: 'replace', path, value }]))),
      });
    });
    await fc.assert(fc.asyncProperty(target(), body, async (t, { m, text }) => {
      const res = await send(ctx.expertTeam, t, text, undefined, { forbidden: [m, ...FIXTURE_FREE_TEXT] });
      expectClass(res, expectedFor(text));
    }), { numRuns: RUNS.normal });
  });

  it('answers a garbage If-Match with 412, after 400 and before 409', async () => {
    for (const t of targets) {
      const { version } = await caseMark(ctx, t.id);
      await fc.assert(fc.asyncProperty(badIfMatch(version), eventType, async (ifMatch, type) => {
        const headers = { 'content-type': 'application/json', 'if-match': ifMatch };
        // a valid body: 412 whether or not the state allows the event (412 before 409)
        const ok = await send(ctx.expertTeam, t, JSON.stringify(events[type]()), headers);
        if (type === 'PROVIDE_INFORMATION') expectProblem(ok, 403, 'FORBIDDEN');
        else expectProblem(ok, 412, 'VERSION_MISMATCH');
        // an invalid body: 400 comes first
        const bad = await send(ctx.expertTeam, t, JSON.stringify({ ...events.ADD_NOTE(), text: 42 }), headers);
        expectProblem(bad, 400, 'VALIDATION_FAILED');
      }), { numRuns: 40 });
    }
  });

  it('answers a body that is not application/json, or has no Content-Type, with 415', async () => {
    await fc.assert(fc.asyncProperty(target(), fc.option(nonJsonType), eventType, async (t, type, event) => {
      const headers: Record<string, string> = type === null ? {} : { 'content-type': type };
      expectProblem(await send(ctx.expertTeam, t, JSON.stringify(events[event]()), headers),
        415, 'UNSUPPORTED_MEDIA_TYPE');
    }), { numRuns: RUNS.few });
  });

  it('answers a body just over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    await fc.assert(fc.asyncProperty(target(), fc.integer({ min: 1, max: 4096 }), marker, async (t, over, m) => {
      const skeleton = JSON.stringify(events.ADD_NOTE({ text: '' }));
      const text = JSON.stringify(events.ADD_NOTE({ text: m + 'x'.repeat(BODY_LIMIT + over - skeleton.length - m.length) }));
      expect(text.length).toBe(BODY_LIMIT + over);
      expectProblem(await send(ctx.expertTeam, t, text, undefined, { forbidden: [m] }), 413, 'PAYLOAD_TOO_LARGE');
    }), { numRuns: RUNS.huge });
  });

  it('stores a note with odd unicode and reads it back NFC-normalised and trimmed', async () => {
    await fc.assert(fc.asyncProperty(target(), oddText.map((v) => `x${v}`.slice(0, 10_000)), async (t, text) => {
      const res = await send(ctx.expertTeam, t, JSON.stringify(events.ADD_NOTE({ text })));
      expectStatus(res, [200]);
      const trail = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases/${t.id}/trail` });
      expectStatus(trail, [200]);
      expect(trail.json<{ entries: { payload: unknown }[] }>().entries.at(-1)!.payload)
        .toEqual({ text: text.normalize('NFC').trim() });
    }), { numRuns: RUNS.few });
  });

  it('refuses a NUL or an unpaired surrogate in any text of an event with 400, and nothing changes', async () => {
    const bodies = fc.oneof(
      notText.map((text) => events.ADD_NOTE({ text })),
      notText.map((reason) => events.WITHDRAW({ reason })),
      notText.map((coordinator) => events.START_TRIAGE({ coordinator })),
    );
    await fc.assert(fc.asyncProperty(target(), bodies, async (t, body) => {
      const before = await storeFingerprint(ctx);
      const res = await send(ctx.expertTeam, t, JSON.stringify(body));
      expectStatus(res, [400]);
      expect(res.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
      expect(await storeFingerprint(ctx)).toBe(before);
    }), { numRuns: RUNS.few });
  });
});
