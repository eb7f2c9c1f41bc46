/**
 * The contract every answer keeps, whatever was sent (DESIGN §3, §4): never a 5xx, always the
 * API-Version header, and every 4xx an application/problem+json body with type, title, status
 * (equal to the HTTP status), detail, instance and a stable code, that repeats none of the
 * personal values sent. And a refused request changes nothing: `probe` compares a fingerprint of
 * every table before and after each request.
 *
 * The checks throw plain Errors with the response in the message, so fast-check's report shows
 * the counterexample and what came back.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { API_VERSION } from '../../src/config.ts';
import { ERROR_STATUS, type ErrorCode } from '../../src/errors.ts';
import type { Caller, TestContext } from '../support/app.ts';
import type { PATH_TO } from '../support/fixtures.ts';

export type Response = LightMyRequestResponse;

export const API = '/api/v1';

/** numRuns per property: bounded so the whole folder stays well under a minute. */
export const RUNS = { many: 300, normal: 200, few: 100, huge: 4 } as const;

export interface ContractOptions {
  /** Values from the request (personal data, markers) that a 4xx body must not repeat. */
  forbidden?: readonly string[];
  /**
   * Outside the API, a browser (Accept preferring text/html) gets the console's Dutch 404 page
   * instead of problem+json: allowed there, and checked to be that page.
   */
  browserPage?: boolean;
}

export function describeResponse(res: Response): string {
  const body = res.body.length > 600 ? `${res.body.slice(0, 600)}…(${res.body.length} chars)` : res.body;
  return `${res.statusCode} content-type=${String(res.headers['content-type'])} ` +
    `api-version=${String(res.headers['api-version'])} body=${body}`;
}

function violation(message: string, res: Response): never {
  throw new Error(`${message}\n    got: ${describeResponse(res)}`);
}

/** Never 5xx, always API-Version, and a well-formed problem body for every 4xx. */
export function checkContract(res: Response, options: ContractOptions = {}): void {
  if (res.statusCode >= 500) violation('a 5xx answer', res);
  if (res.headers['api-version'] !== API_VERSION) violation('no API-Version header', res);
  if (res.statusCode === 404 && options.browserPage && String(res.headers['content-type']).startsWith('text/html')) {
    if (res.raw.req.method !== 'HEAD' && !res.body.includes('Deze pagina bestaat niet')) violation('a 404 page that is not the console\'s', res);
    return;
  }
  if (res.statusCode >= 400) checkProblem(res, options);
}

export function checkProblem(res: Response, { forbidden = [] }: ContractOptions = {}): void {
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) violation('a 4xx that is not application/problem+json', res);
  if (res.raw.req.method === 'HEAD') return; // a HEAD answer has headers only
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    violation('a problem body that is not JSON', res);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) violation('a problem body that is not an object', res);
  const problem = body as Record<string, unknown>;
  for (const member of ['type', 'title', 'detail', 'instance', 'code']) {
    if (typeof problem[member] !== 'string' || problem[member] === '') violation(`problem member ${member} missing`, res);
  }
  if (problem.status !== res.statusCode) violation('problem status differs from the HTTP status', res);
  const code = problem.code as string;
  if (!Object.hasOwn(ERROR_STATUS, code) || ERROR_STATUS[code as ErrorCode] !== res.statusCode) {
    violation(`code ${code} is not a stable code of status ${res.statusCode}`, res);
  }
  if (!(problem.type as string).includes(code)) violation('type does not name the code', res);
  if (!(problem.instance as string).startsWith('/')) violation('instance is not the request path', res);
  for (const value of forbidden) {
    if (value.length > 0 && res.body.includes(value)) violation(`the problem body echoes ${JSON.stringify(value)}`, res);
  }
}

/** The status is one of `allowed`; for a 4xx, optionally with this code. */
export function expectStatus(res: Response, allowed: readonly number[], code?: ErrorCode): void {
  if (!allowed.includes(res.statusCode)) violation(`expected status ${allowed.join(' or ')}`, res);
  if (code !== undefined && res.statusCode >= 400 && res.raw.req.method !== 'HEAD'
    && res.json<{ code?: string }>().code !== code) {
    violation(`expected code ${code}`, res);
  }
}

export function expectProblem(res: Response, status: number, code: ErrorCode): void {
  expectStatus(res, [status], code);
}

/** A hash of every row but the access log's, on either store (test/support/app.ts). */
export const storeFingerprint = (ctx: TestContext): Promise<string> => ctx.fingerprint();

/**
 * Sends one request and checks the contract. A refused request (4xx) and every read leave the
 * store exactly as it was.
 */
export async function probe(
  ctx: TestContext, caller: Caller | null, options: InjectOptions, contract: ContractOptions = {},
): Promise<Response> {
  const before = await storeFingerprint(ctx);
  const res = await ctx.call(caller, options);
  checkContract(res, contract);
  const method = String(options.method ?? 'GET').toUpperCase();
  if ((res.statusCode >= 400 || method === 'GET' || method === 'HEAD') && await storeFingerprint(ctx) !== before) {
    violation(`${method} ${String(options.url)} answered ${res.statusCode} but changed the store`, res);
  }
  return res;
}

export interface CaseMark {
  version: number;
  state: string;
  trailEntries: number;
}

/** A case as the expert team of its region sees it, and the length of its trail. */
export async function caseMark(ctx: TestContext, id: string): Promise<CaseMark> {
  const view = await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases/${id}` });
  const trail = await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/cases/${id}/trail` });
  if (view.statusCode !== 200 || trail.statusCode !== 200) {
    throw new Error(`caseMark ${id}: ${describeResponse(view)} / ${describeResponse(trail)}`);
  }
  const { version, state } = view.json<{ version: number; state: string }>();
  return { version, state, trailEntries: trail.json<{ entries: unknown[] }>().entries.length };
}

/** A new case in each of `states`, with its mark, for properties that must leave them unchanged. */
export async function markedCases(ctx: TestContext, states: readonly (keyof typeof PATH_TO)[]) {
  const targets: { id: string; mark: CaseMark; applied: number }[] = [];
  for (const state of states) {
    const id = await ctx.caseIn(state);
    targets.push({ id, mark: await caseMark(ctx, id), applied: 0 });
  }
  return targets;
}

/** How many cases the caller (the expert team by default) sees, following every page. */
export async function visibleCases(ctx: TestContext, caller: Caller = ctx.expertTeam): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await ctx.call(caller, { method: 'GET', url: `${API}/cases?limit=100${query}` });
    if (res.statusCode !== 200) throw new Error(`visibleCases: ${describeResponse(res)}`);
    const page = res.json<{ items: unknown[]; nextCursor: string | null }>();
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

/** Headers of a caller, sent by hand (to leave out or replace one of them). */
export function bearer(caller: Caller): Record<string, string> {
  return { authorization: `Bearer ${caller.token}` };
}

/**
 * A body as the service's JSON parser reads it, or undefined when it refuses it as malformed:
 * a leading BOM is skipped, and a `__proto__` key or a `constructor` key holding `prototype`
 * anywhere makes the body malformed (Fastify's protection against prototype poisoning).
 */
export function readJsonBody(text: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    return undefined;
  }
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (!Array.isArray(node)) {
      if (Object.hasOwn(node, '__proto__')) return undefined;
      const ctor = (node as Record<string, unknown>).constructor;
      if (Object.hasOwn(node, 'constructor') && typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
        return undefined;
      }
    }
    stack.push(...Object.values(node));
  }
  return { value };
}
