/** Signing people in to the console of a test app, and posting its forms as a browser would. */
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../machines/referral.schemas.ts';
import type { TestContext } from '../support/app.ts';
import type { User } from '../../src/store/rows.ts';

export interface Browser {
  user: User;
  cookie: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** Posts a form with the session's CSRF token (read from the page at `from`) unless `csrf` is false. */
  post(url: string, form: Record<string, string | string[]>, options?: { csrf?: boolean; origin?: string }):
    Promise<LightMyRequestResponse>;
}

let n = 0;

/** A person of the console, made as the command line makes one, on the test's store. */
export function person(ctx: TestContext, role: Role, organisation: string, region = 'R01', name = `Persoon ${++n}`): Promise<User> {
  return ctx.app.services.people.create({ role, organisation, region, name, email: `p${++n}@example.nl` }, ctx.clock.now());
}

/** A one-time sign-in link's secret for the person. */
export async function signInLink(ctx: TestContext, user: User): Promise<string> {
  return (await ctx.app.services.people.signInLink(user.id, ctx.clock.now()))!;
}

export function encodeForm(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  return params.toString();
}

export const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export async function signIn(ctx: TestContext, user: User): Promise<Browser> {
  const code = await signInLink(ctx, user);
  const res = await ctx.app.inject({
    method: 'POST', url: '/inloggen', payload: encodeForm({ code }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (res.statusCode !== 303) throw new Error(`sign-in: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  let csrf = '';
  const browser: Browser = {
    user, cookie,
    async get(url) {
      const page = await ctx.app.inject({ method: 'GET', url, headers: { cookie } });
      csrf = csrfOf(page.body) || csrf;
      return page;
    },
    async post(url, form, options = {}) {
      if (!csrf) csrf = csrfOf((await browser.get('/')).body) || csrfOf((await browser.get('/doel')).body);
      return ctx.app.inject({
        method: 'POST', url, payload: encodeForm(options.csrf === false ? form : { _csrf: csrf, ...form }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(options.origin ? { origin: options.origin } : {}) },
      });
    },
  };
  return browser;
}
