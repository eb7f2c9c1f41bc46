/**
 * Sign-in through OpenID Connect against a small provider on 127.0.0.1 that signs a person in at
 * once: discovery, the authorization code flow with PKCE, state and nonce, an RS256 ID token. The
 * person is matched by email to a user; a person the region does not know gets no session.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/sqlite/client.ts';
import { buildApp, type App } from '../../src/app.ts';
import { createUser } from '../../src/store/sqlite/people.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';

const CLIENT_ID = 'passend-console';
const PUBLIC_URL = 'http://passend.test';
let provider: Server;
let issuer: string;
let app: App;
let db: Db;
/** The email the provider signs in next, and what it saw. */
let signInAs = 'carla@example.nl';
let verified = true;
const seen: { redirectUri?: string; challengeOk?: boolean } = {};

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; email: string }>();
  provider = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (body: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json({
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json({ keys: [jwk] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: url.searchParams.get('nonce') ?? '', challenge: url.searchParams.get('code_challenge') ?? '', email: signInAs });
      seen.redirectUri = url.searchParams.get('redirect_uri') ?? undefined;
      res.statusCode = 302;
      res.setHeader('location', `${seen.redirectUri}?code=${code}&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}`);
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        if (!grant) { res.statusCode = 400; return json({ error: 'invalid_grant' }); }
        codes.delete(form.get('code') ?? '');
        seen.challengeOk = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === grant.challenge;
        if (!seen.challengeOk) { res.statusCode = 400; return json({ error: 'invalid_grant' }); }
        const now = Math.floor(Date.now() / 1000);
        const idToken = await new SignJWT({ nonce: grant.nonce, email: grant.email, email_verified: verified })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(CLIENT_ID).setSubject('s-1')
          .setIssuedAt(now).setExpirationTime(now + 300).sign(privateKey);
        json({ access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken });
      });
      return undefined;
    }
    res.statusCode = 404;
    return res.end();
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  db = openDatabase(':memory:');
  app = await buildApp({
    config: { LOG_LEVEL: 'silent', PUBLIC_URL, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'geheim' }, store: sqliteStore(db),
  });
  createUser(db, { role: 'expert_team', organisation: 'ret-r01', region: 'R01', name: 'Carla', email: 'Carla@Example.nl' }, new Date());
});

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => provider?.close(resolve));
});

/** The whole round trip: our redirect, the provider's, and our callback with the cookie we set. */
async function signInThroughProvider() {
  const start = await app.inject({ url: '/inloggen/oidc' });
  expect(start.statusCode).toBe(303);
  const pending = String(start.headers['set-cookie']).split(';')[0]!;
  expect(String(start.headers['set-cookie'])).toMatch(/HttpOnly/);
  const atProvider = await fetch(String(start.headers.location), { redirect: 'manual' });
  const back = new URL(atProvider.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(`${PUBLIC_URL}/inloggen/oidc/terug`);
  return app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: pending } });
}

describe('sign-in through OpenID Connect', () => {
  it('the start page offers it; a person the provider signs in is matched by email and gets a session', async () => {
    expect((await app.inject({ url: '/' })).body).toContain('href="/inloggen/oidc"');
    signInAs = 'carla@example.nl';
    verified = true;
    const res = await signInThroughProvider();
    expect(seen.challengeOk).toBe(true);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mijn-werk');
    const cookie = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('passend_sessie='))!;
    expect(cookie).toMatch(/HttpOnly/);
    const queue = await app.inject({ url: '/casussen', headers: { cookie: cookie.split(';')[0]! } });
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Carla');
  });

  it('a person the region does not know, or an unverified email, gets no session', async () => {
    for (const [email, isVerified] of [['onbekend@example.nl', true], ['carla@example.nl', false]] as const) {
      signInAs = email;
      verified = isVerified;
      const res = await signInThroughProvider();
      expect(res.statusCode).toBe(403);
      expect(String(res.headers['set-cookie'])).not.toContain('passend_sessie=');
      expect(res.body).toContain('Inloggen lukte niet');
    }
  });

  it('a return without the cookie of its start, or with another state, is refused', async () => {
    const start = await app.inject({ url: '/inloggen/oidc' });
    const atProvider = await fetch(String(start.headers.location), { redirect: 'manual' });
    const back = new URL(atProvider.headers.get('location')!);
    expect((await app.inject({ url: `${back.pathname}${back.search}` })).statusCode).toBe(403);
    const other = String((await app.inject({ url: '/inloggen/oidc' })).headers['set-cookie']).split(';')[0]!;
    expect((await app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: other } })).statusCode).toBe(403);
  });
});

describe('the redirect URI (issue 29)', () => {
  it('is built from PUBLIC_URL, else HOST and PORT, never from the Host header a client sends', async () => {
    const bare = await buildApp({
      config: { LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: 3999, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'geheim' },
      store: sqliteStore(openDatabase(':memory:')),
    });
    try {
      for (const [built, expected] of [[app, PUBLIC_URL], [bare, 'http://127.0.0.1:3999']] as const) {
        const start = await built.inject({ url: '/inloggen/oidc', headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
        expect(start.statusCode).toBe(303);
        const redirectUri = new URL(String(start.headers.location)).searchParams.get('redirect_uri');
        expect(redirectUri).toBe(`${expected}/inloggen/oidc/terug`);
      }
    } finally {
      await bare.close();
    }
  });
});
