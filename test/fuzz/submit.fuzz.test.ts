/**
 * POST /api/v1/cases with bad input of every shape (DESIGN §3, §4): a 4xx problem, never a 500,
 * nothing stored, no personal value echoed. Where a generated body happens to be valid the case
 * is created (201, or 422 CONSENT_REQUIRED when a mutation took the consent away); the count of
 * visible cases must grow by exactly the number of 201s.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseSubmissionSchema } from '../../machines/referral.schemas.ts';
import { BODY_LIMIT } from '../../src/app.ts';
import { intakeBreach } from '../../src/cases/intake-checks.ts';
import type { AppError, ErrorCode } from '../../src/errors.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { submission } from '../support/fixtures.ts';
import {
  brokenJsonText, freeTexts, getAt, notText, oddText, garbageType, JSON_TYPES, jsonWithOddCharset, marker, mutate,
  mutationsOf, nodePaths, nonJsonType, notAnObjectText, unknownKey, anyJson,
} from './arbitraries.ts';
import {
  API, readJsonBody, expectProblem, expectStatus, probe, RUNS, visibleCases, type ContractOptions, type Response,
} from './contract.ts';

/** What the service must answer to this JSON text as a submission by a team that may submit. */
function expectedFor(text: string): number[] {
  const body = readJsonBody(text);
  if (body === undefined) return [400];
  const parsed = body.value;
  return CaseSubmissionSchema.safeParse(parsed).success ? [201, 422] : [400];
}

/** The 422 code a schema-valid submission would get (§5.1: age, municipality, dates, consent, in that order). */
function intakeCode(text: string, now: Date): ErrorCode {
  try {
    intakeBreach(CaseSubmissionSchema.parse(readJsonBody(text)?.value), now.toISOString(), null);
    return 'CONSENT_REQUIRED';
  } catch (error) {
    return (error as AppError).code;
  }
}

describe('fuzz: POST /cases', () => {
  let ctx: TestContext;
  let visibleBefore: number;
  let created = 0;
  const valid = submission();
  const validText = JSON.stringify(valid);
  const personal: ContractOptions = { forbidden: [valid.subject.reference, ...freeTexts(valid)] };
  let submitters: Caller[];

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.createCase();
    visibleBefore = await visibleCases(ctx);
    submitters = [ctx.localTeam, ctx.expertTeam];
  });
  afterAll(async () => { await ctx.close(); });

  // Nothing changed beyond the cases that valid bodies created.
  afterEach(async () => {
    expect(await visibleCases(ctx)).toBe(visibleBefore + created);
  });

  async function post(caller: Caller | null, payload: string, headers: Record<string, string>,
    contract: ContractOptions = personal): Promise<Response> {
    const res = await probe(ctx, caller, { method: 'POST', url: `${API}/cases`, payload, headers }, contract);
    if (res.statusCode === 201) created += 1;
    return res;
  }

  const submitter = () => fc.constantFrom(0, 1).map((i) => submitters[i]!);

  it('answers a body mutated at random paths with 400, or takes it when it is still valid', async () => {
    await fc.assert(fc.asyncProperty(submitter(), mutationsOf(valid), async (caller, mutations) => {
      const text = JSON.stringify(mutate(valid, mutations));
      const res = await post(caller, text, { 'content-type': 'application/json' });
      const expected = expectedFor(text);
      expectStatus(res, expected, expected.includes(400) ? 'VALIDATION_FAILED' : intakeCode(text, ctx.clock.now()));
    }), { numRuns: RUNS.many });
  });

  it('never echoes a value put into a field', async () => {
    const paths = nodePaths(valid).filter((p) => p.length > 0);
    const placed = fc.tuple(marker, fc.nat(6)).map(([m, i]): [string, unknown] =>
      [m, [m, `${m}${'x'.repeat(10_001)}`, [m], { [m.slice(0, 6)]: m }, `  ${m}  `, m.padEnd(201, '!'), { value: m }][i]]);
    await fc.assert(fc.asyncProperty(
      submitter(), placed, fc.constantFrom(...paths), fc.boolean(), unknownKey,
      async (caller, [m, value], path, asExtraField, key) => {
        const body = asExtraField
          ? mutate(valid, [{ kind: 'add', path: path.slice(0, -1), key, value }])
          : mutate(valid, [{ kind: 'replace', path, value }]);
        const text = JSON.stringify(body);
        const res = await post(caller, text, { 'content-type': 'application/json' },
          { forbidden: [m, ...personal.forbidden!] });
        expectStatus(res, expectedFor(text));
      }), { numRuns: RUNS.normal });
  });

  it('answers malformed JSON text with 400 VALIDATION_FAILED', async () => {
    await fc.assert(fc.asyncProperty(submitter(), brokenJsonText(valid), async (caller, text) => {
      const res = await post(caller, text, { 'content-type': 'application/json' });
      const expected = expectedFor(text);
      expectStatus(res, expected, expected.includes(400) ? 'VALIDATION_FAILED' : undefined);
    }), { numRuns: RUNS.normal });
  });

  it('answers arrays, primitives and empty bodies with 400 VALIDATION_FAILED', async () => {
    await fc.assert(fc.asyncProperty(submitter(), notAnObjectText, async (caller, text) => {
      const res = await post(caller, text, { 'content-type': 'application/json' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }), { numRuns: RUNS.few });
  });

  it('answers missing fields with 400 unless only optional ones went', async () => {
    const inner = nodePaths(valid).filter((p) => p.length > 0);
    await fc.assert(fc.asyncProperty(
      submitter(), fc.subarray(inner, { minLength: 1, maxLength: 4 }), async (caller, paths) => {
        const text = JSON.stringify(mutate(valid, paths.map((path) => ({ kind: 'delete' as const, path }))));
        const res = await post(caller, text, { 'content-type': 'application/json' });
        expectStatus(res, expectedFor(text), 'VALIDATION_FAILED');
      }), { numRuns: RUNS.few });
  });

  it('answers every unknown field, anywhere, with 400 VALIDATION_FAILED', async () => {
    const objects = nodePaths(valid).filter((p) => {
      const node = getAt(valid, p);
      return typeof node === 'object' && node !== null && !Array.isArray(node);
    });
    await fc.assert(fc.asyncProperty(
      submitter(), fc.constantFrom(...objects), unknownKey, anyJson, async (caller, path, key, value) => {
        const text = JSON.stringify(mutate(valid, [{ kind: 'add', path, key, value }]));
        const res = await post(caller, text, { 'content-type': 'application/json' });
        expectProblem(res, 400, 'VALIDATION_FAILED');
      }), { numRuns: RUNS.few });
  });

  it('answers a body that is not application/json with 415, whatever the body', async () => {
    const body = fc.oneof(fc.constant(validText), brokenJsonText(valid), fc.string({ maxLength: 50 }));
    await fc.assert(fc.asyncProperty(submitter(), nonJsonType, body, async (caller, type, text) => {
      const res = await post(caller, text, { 'content-type': type });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }), { numRuns: RUNS.few });
  });

  it('answers a body without Content-Type with 415', async () => {
    await fc.assert(fc.asyncProperty(submitter(), fc.oneof(fc.constant(validText), fc.string({ minLength: 1 })),
      async (caller, text) => {
        const res = await post(caller, text, {});
        expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }), { numRuns: 20 });
  });

  it('reads JSON in any spelling of application/json, and reads or refuses other charsets', async () => {
    await fc.assert(fc.asyncProperty(submitter(), fc.constantFrom(...JSON_TYPES), async (caller, type) => {
      expectStatus(await post(caller, validText, { 'content-type': type }), [201]);
    }), { numRuns: 20 });
    await fc.assert(fc.asyncProperty(submitter(), jsonWithOddCharset, async (caller, type) => {
      expectStatus(await post(caller, validText, { 'content-type': type }), [201, 415], 'UNSUPPORTED_MEDIA_TYPE');
    }), { numRuns: 50 });
  });

  it('answers garbage Content-Types with 415, or reads the JSON', async () => {
    await fc.assert(fc.asyncProperty(submitter(), garbageType, async (caller, type) => {
      expectStatus(await post(caller, validText, { 'content-type': type }), [201, 415], 'UNSUPPORTED_MEDIA_TYPE');
    }), { numRuns: RUNS.few });
  });

  it('answers a body just over 1 MiB with 413 PAYLOAD_TOO_LARGE, and one at the limit with 400', async () => {
    const sized = (length: number, m: string) => {
      const skeleton = JSON.stringify({ ...valid, triedSoFar: '' });
      return JSON.stringify({ ...valid, triedSoFar: m + 'x'.repeat(length - skeleton.length - m.length) });
    };
    await fc.assert(fc.asyncProperty(submitter(), fc.integer({ min: 1, max: 4096 }), marker, async (caller, over, m) => {
      const text = sized(BODY_LIMIT + over, m);
      expect(text.length).toBe(BODY_LIMIT + over);
      const res = await post(caller, text, { 'content-type': 'application/json' }, { forbidden: [m] });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      // refused before anything else is read: the token comes first, though
      expectProblem(await post(null, text, { 'content-type': 'application/json' }), 401, 'UNAUTHENTICATED');
    }), { numRuns: RUNS.huge });
    await fc.assert(fc.asyncProperty(submitter(), fc.integer({ min: 0, max: 4096 }), marker, async (caller, under, m) => {
      const text = sized(BODY_LIMIT - under, m);
      const res = await post(caller, text, { 'content-type': 'application/json' }, { forbidden: [m] });
      expectProblem(res, 400, 'VALIDATION_FAILED'); // triedSoFar is over 10 000 characters
    }), { numRuns: 2 });
  });

  it('refuses a control character or a bidi override in any text field with 400 naming that field (issue 29)', async () => {
    const fields: [string, (t: string) => unknown][] = [
      ['referrer.organisation', (t) => submission({ referrer: { kind: 'professional', organisation: `x${t}` } })],
      ['subject.reference', (t) => submission({ subject: { ...valid.subject, reference: `x${t}`.slice(0, 100) } })],
      ['requestForHelp.summary', (t) => submission({ requestForHelp: { ...valid.requestForHelp, summary: `x${t}` } })],
      ['requestForHelp.inWordsOfYouth', (t) => submission({ requestForHelp: { ...valid.requestForHelp, inWordsOfYouth: `x${t}` } })],
      ['triedSoFar', (t) => submission({ triedSoFar: `x${t}` })],
    ];
    await fc.assert(fc.asyncProperty(submitter(), fc.constantFrom(...fields), notText, async (caller, [name, body], t) => {
      const res = await post(caller, JSON.stringify(body(t)), { 'content-type': 'application/json' });
      expectStatus(res, [400], 'VALIDATION_FAILED');
      const named = res.json<{ invalidParams?: { name: string }[] }>().invalidParams?.map((p) => p.name) ?? [];
      expect(named).toContain(name);
    }), { numRuns: RUNS.few });
  });

  it('refuses a body with bytes that are not UTF-8 with 400 VALIDATION_FAILED (issue 29)', async () => {
    const badBytes = fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf]);
    await fc.assert(fc.asyncProperty(submitter(), fc.nat({ max: validText.length }), badBytes, async (caller, at, bytes) => {
      const payload = Buffer.concat([Buffer.from(validText.slice(0, at)), Buffer.from(bytes), Buffer.from(validText.slice(at))]);
      const res = await probe(ctx, caller, { method: 'POST', url: `${API}/cases`, payload, headers: { 'content-type': 'application/json' } },
        personal);
      expectStatus(res, [400], 'VALIDATION_FAILED');
    }), { numRuns: RUNS.few });
  });

  it('stores odd unicode in every free-text field and reads it back as parsed: trimmed and NFC', async () => {
    // kept short (the length limits have properties of their own): every probe hashes the whole store
    const text = (max: number) => oddText.map((v) => `x${v}`.slice(0, max));
    const texts = fc.record({
      organisation: text(200), reference: text(100), summary: text(300), inWordsOfYouth: text(300),
      inWordsOfParents: text(300), triedSoFar: text(300), legalGround: text(300),
    });
    await fc.assert(fc.asyncProperty(submitter(), texts, async (caller, t) => {
      const body = submission({
        referrer: { kind: 'professional', organisation: t.organisation },
        subject: { ...valid.subject, reference: t.reference },
        // a legal ground must explain itself (10 characters, letters among them): the odd text follows
        consent: { youth: 'refused', parents: 'refused', legalGround: `Jeugdwet 7.3.11 ${t.legalGround}` },
        requestForHelp: { summary: t.summary, inWordsOfYouth: t.inWordsOfYouth, inWordsOfParents: t.inWordsOfParents },
        triedSoFar: t.triedSoFar,
      });
      const res = await post(caller, JSON.stringify(body), { 'content-type': 'application/json' });
      expectStatus(res, [201]);
      const stored = CaseSubmissionSchema.parse(body); // as the service keeps it: trimmed
      const { id } = res.json<{ id: string }>();
      const view = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases/${id}` });
      expectStatus(view, [200]);
      expect(view.json<{ data: { submission: unknown } }>().data.submission).toEqual(stored);
      const trail = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases/${id}/trail` });
      expectStatus(trail, [200]);
      expect(trail.json<{ entries: { payload: unknown }[] }>().entries[0]!.payload).toEqual(stored);
    }), { numRuns: RUNS.few });
  });
});
