/**
 * Assertions on HTTP answers shared by the route tests: every body is parsed with the contract's
 * own zod schemas (case views, pages, trails, problems), so a test that reads a response also
 * checks its shape. Reads go through the test context's `call`, never around the API.
 */
import { connect } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { EventInputOf, EventType } from '../../machines/referral.schemas.ts';
import {
  CasePageSchema,
  CaseViewSchema,
  TrailSchema,
} from '../../src/cases/case-contract.ts';
import type { ErrorCode } from '../../src/errors.ts';
import { ProblemSchema } from '../../src/http/problem-contract.ts';
import type { Caller, TestContext } from './app.ts';
import { events, helpItem } from './fixtures.ts';

export const API = '/api/v1';
/** Full semantic version (semver.org 2.0.0), as the API-Version header must carry it. */
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
export const UNKNOWN_CASE = '00000000-0000-4000-8000-000000000000';

export const caseUrl = (id: string) => `${API}/cases/${id}`;
export const trailUrl = (id: string) => `${API}/cases/${id}/trail`;
export const eventsUrl = (id: string) => `${API}/cases/${id}/events`;

/** The event as the trail stores it: the payload without its `type`. */
export function payloadOf(event: { type: string }): Record<string, unknown> {
  const { type: _type, ...payload } = event;
  return payload;
}

export function expectApiVersion(res: LightMyRequestResponse): void {
  expect(res.headers['api-version'], 'API-Version header').toMatch(SEMVER);
}

/** A problem+json answer with this status and code, valid against ProblemSchema. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: ErrorCode) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  expectApiVersion(res);
  const problem = ProblemSchema.parse(res.json());
  expect(problem.status).toBe(status);
  expect(problem.code).toBe(code);
  expect(problem.type).toContain(code);
  expect(problem.instance).toMatch(/^\//);
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}

/** A case view answer with this status, valid against CaseViewSchema, with ETag `"<version>"`. */
export function expectView(res: LightMyRequestResponse, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json\b/);
  expectApiVersion(res);
  const view = CaseViewSchema.parse(res.json());
  expect(res.headers.etag).toBe(`"${view.version}"`);
  return view;
}

export async function readCase(ctx: TestContext, id: string, caller: Caller = ctx.expertTeam) {
  return expectView(await ctx.call(caller, { method: 'GET', url: caseUrl(id) }));
}

export async function readTrail(ctx: TestContext, id: string, caller: Caller = ctx.expertTeam) {
  const res = await ctx.call(caller, { method: 'GET', url: trailUrl(id) });
  expect(res.statusCode, res.body).toBe(200);
  expectApiVersion(res);
  return TrailSchema.parse(res.json());
}

export async function listCases(ctx: TestContext, caller: Caller, query = '') {
  const res = await ctx.call(caller, { method: 'GET', url: `${API}/cases${query ? `?${query}` : ''}` });
  expect(res.statusCode, res.body).toBe(200);
  expectApiVersion(res);
  return CasePageSchema.parse(res.json());
}

/** Every id the caller sees, following nextCursor to the end. */
export async function listAllIds(ctx: TestContext, caller: Caller, query = ''): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const params = new URLSearchParams(query);
    if (cursor !== null) params.set('cursor', cursor);
    const result = await listCases(ctx, caller, params.toString());
    ids.push(...result.items.map((i) => i.id));
    cursor = result.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('listAllIds: the cursor never ended');
}

/** What a refused request must leave as it was: state, version, trail length, last update. */
export async function footprint(ctx: TestContext, id: string) {
  const view = await readCase(ctx, id);
  const trail = await readTrail(ctx, id);
  return { state: view.state, version: view.version, updatedAt: view.updatedAt, entries: trail.entries.length };
}

/** Sends one event and expects it applied: 200 and the new case view. */
export async function apply(ctx: TestContext, caller: Caller, id: string, event: { type: EventType },
  headers: Record<string, string> = {}) {
  return expectView(await ctx.send(caller, id, event, headers));
}

/** An ISSUE_ADVICE whose one help item waits this many weeks. */
export function adviceWaiting(waitingWeeks: number): EventInputOf<'ISSUE_ADVICE'> {
  return events.ISSUE_ADVICE({ helpItems: [helpItem(waitingWeeks)] });
}

/** A new case in `bridging`: advised with a help item that waits longer than the default threshold (0). */
export async function caseInBridging(ctx: TestContext): Promise<string> {
  const id = await ctx.caseIn('advising');
  const view = await apply(ctx, ctx.expertTeam, id, adviceWaiting(6));
  expect(view.state).toBe('bridging');
  return id;
}

/** A new case in any lifecycle state, `bridging` included. */
export async function caseInState(ctx: TestContext, state: string): Promise<string> {
  return state === 'bridging' ? caseInBridging(ctx) : ctx.caseIn(state);
}

export const sorted = <T>(list: readonly T[]): T[] => [...list].sort();

/** Sends raw bytes to 127.0.0.1:`port` and reads the whole answer until the server closes. */
export function rawHttp(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.end(request);
  });
}
