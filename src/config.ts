/**
 * Configuration from the environment, validated once. Only src/server.ts and src/cli.ts read
 * process.env; everything else receives a Config.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** An address, or an address with a prefix length (CIDR), as proxy-addr reads them. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000)
    .describe('TCP port to listen on'),
  HOST: z.string().min(1).default('127.0.0.1')
    .describe('Address to listen on; 127.0.0.1 keeps the service local'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional()
    .describe('PostgreSQL instead of the SQLite file: postgres://user:password@host:5432/database (DESIGN §5.5)'),
  DATABASE_PATH: z.string().min(1).default('./data/passend.db')
    .describe('SQLite database file, created with its folder on first start'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
    .describe('pino log level'),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL')
    .describe('FULL: an acknowledged event survives a power cut; NORMAL: only a process crash'),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).default(1000)
    .describe('How often due deadlines fire and notifications are sent; 0 turns the loop off'),
  RATE_LIMIT_FAILED_AUTH: z.coerce.number().int().min(0).default(30)
    .describe('Failed authentications (and wrong sign-in codes) per client address per minute; past it, its failures get 429 (a valid token never); 0: no limit'),
  RATE_LIMIT_PER_CLIENT: z.coerce.number().int().min(0).default(3000)
    .describe('Requests per API client per minute before 429; 0: no limit'),
  TRUST_PROXY: z.string().trim().optional()
    .transform((value) => (value ? value.split(',').map((entry) => entry.trim()).filter(Boolean) : []))
    .refine((entries) => entries.every(isAddressOrRange), 'a comma-separated list of addresses or CIDR ranges, e.g. 10.0.0.5,10.0.1.0/24')
    .describe('The load balancers or proxies in front of the service (addresses or CIDR ranges, comma-separated): their X-Forwarded-For names the client; from anyone else it is ignored'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional()
    .describe('The address people open the console at: sign-in links and the OpenID Connect redirect are built from it, never from a request; required when NODE_ENV=production, else default http://HOST:PORT'),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional()
    .describe('The mail server for e-mail notices and sign-in links: smtp://host:port, smtps://host:port, optionally with user:password@ (URL-encoded); without it no mail is sent'),
  MAIL_FROM: z.string().trim().regex(/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'an address, or Name <address>').optional()
    .describe('The sender of passend\'s mail, e.g. "passend <passend@regio.example>"; required with SMTP_URL'),
  NODE_ENV: z.string().optional()
    .describe('production: PUBLIC_URL must be set'),
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional()
    .describe('An OpenID Connect provider for console sign-in; people are matched by email'),
  OIDC_CLIENT_ID: z.string().min(1).optional().describe('The console\'s client id at the provider'),
  OIDC_CLIENT_SECRET: z.string().min(1).optional().describe('The console\'s client secret at the provider'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30)
    .describe('A console session ends after this many minutes without a request'),
  GROUP_COMMIT: z.enum(['on', 'off']).default('on')
    .describe('on: events that arrive in one turn of the event loop share one COMMIT; off: one COMMIT per event'),
  CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).default(1000)
    .describe('How often a background thread checkpoints the WAL; 0 lets SQLite do it on commit'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** The three OIDC settings come together or not at all. */
function oidcComplete(config: Config): boolean {
  const given = [config.OIDC_ISSUER, config.OIDC_CLIENT_ID, config.OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  return given === 0 || given === 3;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  if (result.data.NODE_ENV === 'production' && result.data.PUBLIC_URL === undefined) {
    throw new Error('invalid configuration: PUBLIC_URL is required when NODE_ENV=production (sign-in links and the OpenID Connect redirect are built from it)');
  }
  if (result.data.SMTP_URL !== undefined && result.data.MAIL_FROM === undefined) {
    throw new Error('invalid configuration: MAIL_FROM is required with SMTP_URL (the sender of passend\'s mail)');
  }
  if (!oidcComplete(result.data)) {
    throw new Error('invalid configuration: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together');
  }
  return result.data;
}

/** The API's full semantic version, sent as the API-Version header (NL GOV ADR /core/version-header). */
export const API_VERSION = '1.3.0';
export const API_BASE = '/api/v1';
