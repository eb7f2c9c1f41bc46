/**
 * Security headers, as the security review asked (issue 13): every answer carries a content
 * security policy without inline script, nosniff and no framing; case data is never cached; the
 * trail's two representations vary by Accept; the self-contained pages allow only their own style.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { API, caseUrl, trailUrl } from '../support/http.ts';

let ctx: TestContext;
let id: string;
beforeAll(async () => {
  ctx = await createTestContext();
  id = await ctx.createCase();
});
afterAll(() => ctx.close());

function expectHardened(res: LightMyRequestResponse, what: string): string {
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp, what).toMatch(/default-src '(self|none)'/);
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['x-frame-options'], what).toBe('SAMEORIGIN');
  // The rest of helmet's set (set once from helmet's middleware, src/app.ts).
  expect(res.headers['referrer-policy'], what).toBe('no-referrer');
  expect(res.headers['strict-transport-security'], what).toMatch(/^max-age=\d+; includeSubDomains$/);
  expect(res.headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy'], what).toBe('same-origin');
  expect(res.headers['origin-agent-cluster'], what).toBe('?1');
  expect(res.headers['x-dns-prefetch-control'], what).toBe('off');
  expect(res.headers['x-permitted-cross-domain-policies'], what).toBe('none');
  expect(res.headers['x-xss-protection'], what).toBe('0');
  expect(res.headers['x-powered-by'], what).toBeUndefined();
  return csp;
}

describe('security headers', () => {
  it('are on every kind of answer: health, docs, the OpenAPI document, a case, a problem, an unknown route', async () => {
    const answers: [string, Promise<LightMyRequestResponse>][] = [
      ['health', ctx.call(null, { method: 'GET', url: '/health' })],
      ['docs', ctx.call(null, { method: 'GET', url: '/docs/' })],
      ['docs script', ctx.call(null, { method: 'GET', url: '/docs/static/swagger-initializer.js' })],
      ['openapi', ctx.call(null, { method: 'GET', url: `${API}/openapi.json` })],
      ['case', ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(id) })],
      ['401', ctx.call(null, { method: 'GET', url: caseUrl(id) })],
      ['404', ctx.call(null, { method: 'GET', url: '/nowhere' })],
    ];
    for (const [what, answer] of answers) {
      const res = await answer;
      expect(res.statusCode, what).toBeLessThan(500);
      expectHardened(res, what);
    }
  });

  it('allow inline style only on Swagger UI (/docs), which sets some from its script; inline script nowhere', async () => {
    const docs = await ctx.call(null, { method: 'GET', url: '/docs/' });
    expect(String(docs.headers['content-security-policy'])).toMatch(/style-src 'self' 'unsafe-inline'/);
    const api = await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(id) });
    expect(String(api.headers['content-security-policy'])).not.toContain('unsafe-inline');
  });

  it('keep case data out of caches: every API answer is no-store, the trail varies by Accept', async () => {
    for (const res of [
      await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl(id) }),
      await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/cases` }),
      await ctx.call(ctx.expertTeam, { method: 'GET', url: trailUrl(id) }),
      await ctx.call(ctx.localTeam, { method: 'GET', url: caseUrl('00000000-0000-4000-8000-000000000000') }),
    ]) {
      expect(res.headers['cache-control']).toMatch(/\bno-store\b/);
    }
    const html = await ctx.call(ctx.expertTeam, { method: 'GET', url: trailUrl(id), headers: { accept: 'text/html' } });
    const json = await ctx.call(ctx.expertTeam, { method: 'GET', url: trailUrl(id) });
    for (const res of [html, json]) expect(res.headers.vary).toMatch(/\bAccept\b/i);
  });

  it('allow the trail and report pages only their own style, by hash: no script, no inline allowance', async () => {
    const pages = [
      await ctx.call(ctx.expertTeam, { method: 'GET', url: trailUrl(id), headers: { accept: 'text/html' } }),
      await ctx.call(ctx.expertTeam, {
        method: 'GET', url: `${API}/reports/signalering?from=2026-01-01&to=2026-01-31`, headers: { accept: 'text/html' },
      }),
    ];
    for (const page of pages) {
      expect(page.statusCode, page.body).toBe(200);
      const csp = expectHardened(page, 'page');
      expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
      expect(csp).not.toContain('unsafe-inline');
      const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)?.[1] ?? '';
      const { createHash } = await import('node:crypto');
      expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
      expect(page.body).not.toMatch(/<script|\sstyle=|\son\w+=/i);
    }
  });
});
