/**
 * What the security review sent over a real socket (issue 13): an unknown method and a header
 * block over 16 KiB got Node's bare answers; a JSON body declared as UTF-16 was read as UTF-8.
 * Each is now a problem+json answer and changes nothing.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { eventsUrl, expectProblem, footprint, rawHttp } from '../support/http.ts';

let ctx: TestContext;
let port: number;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  port = (ctx.app.server.address() as AddressInfo).port;
});
afterAll(() => ctx.close());

const raw = (request: string) => rawHttp(port, request);

function expectRawProblem(answer: { status: number; headers: string; body: string }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers).toContain('content-type: application/problem+json');
  expect(answer.headers).toMatch(/api-version: \d+\.\d+\.\d+/);
  expect(JSON.parse(answer.body)).toMatchObject({ status, code, type: `urn:passend:problem:${code}` });
}

describe('requests Node refuses before Fastify', () => {
  it('an unknown method gets 400 problem+json', async () => {
    expectRawProblem(await raw('FROB /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
      400, 'VALIDATION_FAILED');
  });

  it('a header block over 16 KiB gets 431 problem+json', async () => {
    const big = `X-Filler: ${'a'.repeat(20_000)}\r\n`;
    expectRawProblem(await raw(`GET /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n${big}Connection: close\r\n\r\n`),
      431, 'HEADERS_TOO_LARGE');
  });

  it('a known method on a route without it is a 404 problem, as before', async () => {
    const answer = await raw('PATCH /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(404);
    expect(answer.headers).toContain('content-type: application/problem+json');
  });
});

describe('JSON bodies are UTF-8', () => {
  it('refuses a body declared in another charset with 415, changing nothing', async () => {
    const id = await ctx.createCase();
    const before = await footprint(ctx, id);
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"latin1"']) {
      const res = await ctx.call(ctx.expertTeam, {
        method: 'POST', url: eventsUrl(id), payload: JSON.stringify(events.ADD_NOTE()),
        headers: { 'content-type': `application/json; charset=${charset}` },
      });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await footprint(ctx, id)).toEqual(before);
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"']) {
      const res = await ctx.call(ctx.expertTeam, {
        method: 'POST', url: eventsUrl(id), payload: JSON.stringify(events.ADD_NOTE()),
        headers: { 'content-type': `application/json; charset=${charset}` },
      });
      expect(res.statusCode, charset).toBe(200);
    }
  });
});
