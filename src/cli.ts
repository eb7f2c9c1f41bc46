/**
 * The command line (`npm run cli -- ...`), against the SQLite file named by DATABASE_PATH, or
 * PostgreSQL when DATABASE_URL is set (all but `backup`: back up PostgreSQL with its own tools):
 *   token create --role <role> --org <orgId> --region <regionId> --name "<display name>"
 *   token list
 *   token revoke <clientId>
 *   region set <regionId> [--triage P5D] [--triage-urgent P1D] [--overleg P14D] [--checkpoint P28D]
 *              [--reassessment P3M] [--escalation P21D] [--bridging-threshold-weeks 0] [--webhook-url URL] [--webhook-secret S]
 *              [--municipalities GM0153,GM0164,…]
 *   region show <regionId>
 *   notifications retry [<notificationId>]   (puts failed notifications back in the queue)
 *   audit verify            (prints { ok, checked, head, firstBroken? }; exit 0 when ok, 1 when not)
 *   backup <file>           (a consistent copy while the service runs, then its audit verified)
 *   retention run [--as-of YYYY-MM-DD]   (destroys the content of files past their retention, R14)
 *   retention erase <caseId> [--reference <decision>]   (an erasure the law requires earlier)
 *   user create --role <role> --org <orgId> --region <regionId> --name "<name>" --email <email>
 *   user sign-in-link <userId>   (a one-time console sign-in URL, valid 15 minutes)
 *   user list | user disable <userId>
 *   store copy --to postgres://…   (moves the region to PostgreSQL; the audit head must match)
 * `user create` prints the user id, `user sign-in-link` the URL, alone on the last line.
 * `token create` prints the new token alone on the last line of stdout; it is shown only once.
 * Region settings take effect without a restart, for deadlines armed after the command returns.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { openSqlite } from '../db/connection.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { isPostgresUrl, openPostgres } from '../db/pg/client.ts';
import { pgClients, pgOutbox, pgPeople, pgRegions } from './pg/services.ts';
import { asAsync, sqlitePeople, type Async, type People } from './services.ts';
import { pgRetention } from './pg/retention.ts';
import { verifyPostgres } from './audit/verify-postgres.ts';
import { copySqliteToPostgres, sameAudit, TargetNotEmpty } from './store/copy.ts';
import { isIsoDuration } from '../machines/referral.deadlines.ts';
import { RoleSchema, type Role } from '../machines/referral.schemas.ts';
import { auditTrail } from './audit/audit-log.ts';
import {
  CLI_OPERATOR, createClient, listClients, revokeClient, type Actor, type NewClient,
} from './auth/api-clients.ts';
import {
  DuplicateEmail, isEmail, SIGN_IN_LINK_MINUTES,
} from './auth/users.ts';
import { signInUrl } from './console/sign-in.ts';
import { isHousekeepingPeriod } from './housekeeping.ts';
import { isRetention, retention } from './retention/retention.ts';
import { systemClock } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import { outboxRepository } from './notifications/outbox-repository.ts';
import { municipalityInForce } from '../machines/referral.municipalities.ts';
import { regionSettings, type RegionSettings, type RegionUpdate } from './regions/region-settings.ts';

const USAGE = `usage:
  npm run cli -- token create --role <local_team|expert_team|inspector|admin> --org <orgId> --region <regionId|*> --name "<display name>"
  npm run cli -- token list
  npm run cli -- token revoke <clientId>
  npm run cli -- region set <regionId> [--triage P5D] [--triage-urgent P1D] [--overleg P14D] [--checkpoint P28D]
                 [--reassessment P3M] [--escalation P21D] [--bridging-threshold-weeks 0] [--webhook-url URL] [--webhook-secret SECRET]
                 [--municipalities GM0153,GM0164,...]
  npm run cli -- region show <regionId>
  npm run cli -- notifications retry [<notificationId>]
  npm run cli -- audit verify
  npm run cli -- backup <file>
  npm run cli -- region set <regionId> [--retention P20Y] [--housekeeping P30D]
  npm run cli -- retention run [--as-of YYYY-MM-DD]
  npm run cli -- retention erase <caseId> [--reference "<decision number>"]
  npm run cli -- user create --role <local_team|expert_team|inspector|admin> --org <orgId> --region <regionId|*> --name "<name>" --email <email>
  npm run cli -- user sign-in-link <userId>
  npm run cli -- user list
  npm run cli -- user disable <userId>
  npm run cli -- store copy --to postgres://user@host:5432/passend`;

class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new UsageError(`missing --${flag}`);
  return trimmed;
}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' }, org: { type: 'string' }, region: { type: 'string' },
      name: { type: 'string' }, email: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      'as-of': { type: 'string' }, reference: { type: 'string' }, to: { type: 'string' },
      ...Object.fromEntries(REGION_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || !['token', 'user', 'region', 'notifications', 'audit', 'backup', 'retention', 'store'].includes(group ?? '')) {
    throw new UsageError('unknown command');
  }
  const config = loadConfig(process.env);
  if (group === 'audit') return auditCommand(config, command);
  if (group === 'backup') {
    if (config.DATABASE_URL) throw new UsageError('on PostgreSQL, back up with the server\'s own tools (pg_dump, or your provider\'s backups)');
    return backupCommand(config.DATABASE_PATH, command);
  }
  if (group === 'store') return storeCommand(config.DATABASE_PATH, command, values.to);
  if (group === 'retention') {
    if (config.DATABASE_URL) {
      const db = await openPostgres(config.DATABASE_URL, { max: 2 });
      try {
        return await retentionCommand(pgRetention(db), command, rest[0], values['as-of'], values.reference);
      } finally {
        await db.$client.end();
      }
    }
    const db = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
    try {
      return await retentionCommand(asAsync(retention(db)), command, rest[0], values['as-of'], values.reference);
    } finally {
      db.$client.close();
    }
  }
  const admin = await openAdmin(config);
  try {
    if (group === 'user') return await userCommand(admin, config, command, rest[0], values);
    if (group === 'region') return await regionCommand(admin, command, rest[0], values as Record<string, string | undefined>);
    if (group === 'notifications') {
      if (command !== 'retry') throw new UsageError('unknown command');
      const count = await admin.outbox.retryFailed(rest[0], systemClock.now().toISOString());
      process.stdout.write(`${count} notification(s) queued again\n`);
      return;
    }
    if (command === 'create') {
      const { token, actor } = await admin.clients.create({ ...roleAndPlace(values), name: required(values.name, 'name') },
        systemClock.now());
      process.stdout.write(`created ${actor.role} client ${actor.clientId} for ${actor.organisation} in region ${actor.region}\n`);
      process.stdout.write(`${token}\n`);
    } else if (command === 'list') {
      for (const c of await admin.clients.list()) process.stdout.write(`${JSON.stringify(c)}\n`);
    } else if (command === 'revoke' && rest[0]) {
      if (!await admin.clients.revoke(rest[0], systemClock.now())) throw new UsageError('no active client with that id');
      process.stdout.write(`revoked ${rest[0]}\n`);
    } else {
      throw new UsageError('unknown command');
    }
  } finally {
    await admin.close();
  }
}

/** What the administrative commands change, on the store the configuration names. */
interface Admin {
  clients: {
    create(client: NewClient, now: Date): Promise<{ token: string; actor: Actor }>;
    list(): Promise<ReturnType<typeof listClients>>;
    revoke(id: string, now: Date): Promise<boolean>;
  };
  regions: { get(id: string): Promise<RegionSettings>; set(id: string, update: RegionUpdate, now: Date): Promise<RegionSettings> };
  people: People;
  outbox: { retryFailed(id: string | undefined, now: string): Promise<number> };
  close(): Promise<void>;
}

async function openAdmin(config: Config): Promise<Admin> {
  if (config.DATABASE_URL) {
    const db = await openPostgres(config.DATABASE_URL, { max: 2 });
    return { clients: pgClients(db), regions: pgRegions(db), people: pgPeople(db), outbox: pgOutbox(db),
      close: () => db.$client.end() };
  }
  const db = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
  return {
    clients: asAsync({
      create: (client: NewClient, now: Date) => createClient(db, client, now),
      list: () => listClients(db),
      revoke: (id: string, now: Date) => revokeClient(db, id, now),
    }),
    regions: asAsync(regionSettings(db)),
    people: sqlitePeople(db),
    outbox: asAsync(outboxRepository(db)),
    close: async () => { db.$client.close(); },
  };
}

interface PlaceFlags { role?: string; org?: string; region?: string }

/** The role, organisation and region of a new client or user, checked. */
function roleAndPlace(values: PlaceFlags): { role: Role; organisation: string; region: string } {
  const role = RoleSchema.safeParse(values.role);
  if (!role.success) throw new UsageError('--role must be local_team, expert_team, inspector or admin');
  const region = required(values.region, 'region');
  if (region === '*' && role.data !== 'inspector') {
    throw new UsageError('only an inspector may have region * (national)');
  }
  return { role: role.data, organisation: required(values.org, 'org'), region };
}

async function userCommand({ people }: Admin, config: Config, command: string | undefined, id: string | undefined,
  values: PlaceFlags & { name?: string; email?: string }): Promise<void> {
  const now = systemClock.now();
  if (command === 'create') {
    const email = required(values.email, 'email');
    if (!isEmail(email)) throw new UsageError('--email must be an email address');
    try {
      const user = await people.create({ ...roleAndPlace(values), name: required(values.name, 'name'), email }, now);
      process.stdout.write(`created ${user.role} user for ${user.organisation} in region ${user.region}\n`);
      process.stdout.write(`${user.id}\n`);
    } catch (err) {
      if (err instanceof DuplicateEmail) throw new UsageError(err.message);
      throw err;
    }
  } else if (command === 'sign-in-link' && id) {
    const token = await people.signInLink(id, now);
    if (!token) throw new UsageError('no active user with that id');
    process.stdout.write(`one-time sign-in link, valid ${SIGN_IN_LINK_MINUTES} minutes:\n`);
    process.stdout.write(`${signInUrl(config, token)}\n`);
  } else if (command === 'list') {
    for (const u of await people.list()) {
      const { email: _email, ...shown } = u;
      process.stdout.write(`${JSON.stringify(shown)}\n`);
    }
  } else if (command === 'disable' && id) {
    if (!await people.disable(id, now)) throw new UsageError('no active user with that id');
    process.stdout.write(`disabled ${id}\n`);
  } else {
    throw new UsageError('unknown command');
  }
}

/**
 * Copies the file to an empty PostgreSQL database (src/store/copy.ts), then verifies the audit on
 * both: the copy is good when both end at the same head. Prints the rows per table and both heads.
 */
async function storeCommand(path: string, command: string | undefined, to: string | undefined): Promise<void> {
  if (command !== 'copy') throw new UsageError('unknown command');
  if (!isPostgresUrl(to)) throw new UsageError('name the target with --to postgres://…');
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  // Migrated first, so that a file of an older version is copied with every column filled.
  openDatabase(path).$client.close();
  const sqlite = openSqlite(path, { fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const target = await openPostgres(to);
  try {
    const { rows, source } = await copySqliteToPostgres(sqlite, target);
    process.stdout.write(`copied ${JSON.stringify(rows)}\n`);
    const copied = (await verifyPostgres(target)).result;
    process.stdout.write(`audit on the file:       ${JSON.stringify(source)}\n`);
    process.stdout.write(`audit on PostgreSQL:     ${JSON.stringify(copied)}\n`);
    if (!sameAudit(source, copied)) {
      throw new UsageError('the audit of the copy does not match the file: do not switch over');
    }
    process.stdout.write(`the copy verifies with the same head: ${copied.head}\n`);
  } catch (error) {
    if (error instanceof TargetNotEmpty) throw new UsageError(error.message);
    throw error;
  } finally {
    sqlite.close();
    await target.$client.end();
  }
}

/** Offline on the database file (no migration, nothing written), or on PostgreSQL. */
async function auditCommand(config: Config, command: string | undefined): Promise<void> {
  if (command !== 'verify') throw new UsageError('unknown command');
  let result: ReturnType<typeof verifyFile>;
  if (config.DATABASE_URL) {
    const db = await openPostgres(config.DATABASE_URL, { max: 2 });
    try {
      result = (await verifyPostgres(db)).result;
    } finally {
      await db.$client.end();
    }
  } else {
    if (!existsSync(config.DATABASE_PATH)) throw new UsageError(`no database at ${config.DATABASE_PATH}`);
    result = verifyFile(config.DATABASE_PATH);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

function verifyFile(path: string): ReturnType<ReturnType<typeof auditTrail>['verify']> {
  const sqlite = openSqlite(path, { readonly: true, fileMustExist: true });
  try {
    return auditTrail(drizzle({ client: sqlite, schema }) as Db).verify();
  } finally {
    sqlite.close();
  }
}

/**
 * A consistent copy of the database while the service runs, with SQLite's online backup API:
 * after a first step, the rest is copied in one step, inside one read transaction, so that
 * writes going on (which WAL lets through) cannot make it start over and over. Written beside
 * the target and renamed when complete; never over an existing file. Its audit is verified.
 */
async function backupCommand(path: string, target: string | undefined): Promise<void> {
  if (!target) throw new UsageError('name the file to write the backup to');
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  if (existsSync(target)) throw new UsageError(`${target} exists: a backup never overwrites a file`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const source = openSqlite(path, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
  } finally {
    source.close();
  }
  renameSync(partial, target);
  const audit = verifyFile(target);
  process.stdout.write(`${JSON.stringify({ backup: target, audit })}\n`);
  process.exitCode = audit.ok ? 0 : 1;
}

const REGION_FLAGS = [
  'triage', 'triage-urgent', 'overleg', 'checkpoint', 'reassessment', 'escalation',
  'bridging-threshold-weeks', 'webhook-url', 'webhook-secret', 'municipalities', 'retention', 'housekeeping',
] as const;

async function regionCommand({ regions }: Admin, command: string | undefined, regionId: string | undefined,
  values: Record<string, string | undefined>): Promise<void> {
  const id = required(regionId, 'regionId');
  if (command === 'set') {
    const update: RegionUpdate = {};
    const durations = { triage: 'triage', 'triage-urgent': 'triageUrgent', overleg: 'overleg',
      checkpoint: 'checkpoint', reassessment: 'reassessment', escalation: 'escalation' } as const;
    for (const [flag, key] of Object.entries(durations)) {
      const value = values[flag as keyof typeof durations];
      if (value === undefined) continue;
      if (!isIsoDuration(value)) throw new UsageError(`--${flag} must be a positive ISO 8601 duration such as P5D or PT2S`);
      update[key] = value;
    }
    const weeks = values['bridging-threshold-weeks'];
    if (weeks !== undefined) {
      if (!/^\d{1,3}$/.test(weeks)) throw new UsageError('--bridging-threshold-weeks must be a whole number of weeks');
      update.bridgingThresholdWeeks = Number(weeks);
    }
    const url = values['webhook-url'];
    if (url !== undefined) {
      if (url !== '' && !/^https?:\/\/\S+$/.test(url)) throw new UsageError('--webhook-url must be an http(s) URL, or empty to remove it');
      update.webhookUrl = url === '' ? null : url;
    }
    if (values['webhook-secret'] !== undefined) update.webhookSecret = values['webhook-secret'] || null;
    if (values.municipalities !== undefined) update.municipalities = municipalityList(values.municipalities);
    if (values.retention !== undefined) {
      if (!isRetention(values.retention)) throw new UsageError('--retention must be a duration of at least a year, such as P20Y');
      update.retention = values.retention;
    }
    if (values.housekeeping !== undefined) {
      if (!isHousekeepingPeriod(values.housekeeping)) {
        throw new UsageError('--housekeeping must be a duration of at least a day, such as P30D');
      }
      update.housekeeping = values.housekeeping;
    }
    // The issue wants signed webhooks: no URL without a secret, given now or stored before.
    const current = (await regions.get(id)).webhook;
    const finalUrl = update.webhookUrl !== undefined ? update.webhookUrl : current?.url ?? null;
    const finalSecret = update.webhookSecret !== undefined ? update.webhookSecret : current?.secret ?? null;
    if (finalUrl !== null && !finalSecret) throw new UsageError('a webhook needs --webhook-secret to sign its notifications');
    printRegion(id, await regions.set(id, update, systemClock.now()));
  } else if (command === 'show') {
    printRegion(id, await regions.get(id));
  } else {
    throw new UsageError('unknown command');
  }
}

/** `--municipalities GM0153,GM0164`: codes in force today; empty to accept any municipality again. */
function municipalityList(value: string): string[] | null {
  if (value.trim() === '') return null;
  const codes = [...new Set(value.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))];
  const unknown = codes.filter((code) => !municipalityInForce(code, systemClock.now()));
  if (unknown.length > 0) {
    throw new UsageError(`--municipalities: not a municipality in force today (CBS list): ${unknown.join(', ')}`);
  }
  return codes.sort();
}

/**
 * `retention run`: destroys the content of every file whose last change lies more than its
 * region's retention before --as-of (default today). `retention erase`: one file, now, because
 * the law requires it. Both print what they destroyed as JSON.
 */
async function retentionCommand(files: Pick<Async<ReturnType<typeof retention>>, 'run' | 'erase'>,
  command: string | undefined, caseId: string | undefined, asOf: string | undefined,
  reference: string | undefined): Promise<void> {
  const now = systemClock.now();
  if (command === 'run') {
    if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of must be a date: YYYY-MM-DD');
    const day = asOf === undefined ? now : new Date(`${asOf}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) throw new UsageError('--as-of must be a date: YYYY-MM-DD');
    const erased = await files.run(day, now, CLI_OPERATOR);
    process.stdout.write(`${JSON.stringify({ asOf: day.toISOString().slice(0, 10), erased })}\n`);
  } else if (command === 'erase' && caseId) {
    if (reference !== undefined && (reference.length > 100 || /[\0-\x1f]/.test(reference))) {
      throw new UsageError('--reference: at most 100 characters, the number of the decision (no names)');
    }
    if (!await files.erase(caseId, now, CLI_OPERATOR, reference)) {
      throw new UsageError('no case with that id, or its content is already destroyed');
    }
    process.stdout.write(`${JSON.stringify({ erased: [caseId] })}\n`);
  } else {
    throw new UsageError('unknown command');
  }
}

function printRegion(id: string, settings: RegionSettings): void {
  const { webhook, env, municipalities, retention: kept, housekeeping: pruneAfter } = settings;
  const shown = {
    region: id, ...env, municipalities, retention: kept, housekeeping: pruneAfter,
    webhook: webhook ? { url: webhook.url, signed: webhook.secret !== null } : null,
  };
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
}

try {
  await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  throw error;
}
