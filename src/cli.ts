/**
 * The command line (`npm run cli -- ...`), against the SQLite file named by DATABASE_PATH, or
 * PostgreSQL when DATABASE_URL is set (all but `backup`: back up PostgreSQL with its own tools).
 * The commands, their flags and their usage are listed once, in src/cli/usage.ts; `help`,
 * `--help` and `help <command>` print them (exit 0); a command or flag it does not know exits 2,
 * naming it. `runCli` runs it in-process (the tests do); run as a script, it sets the exit code.
 * `user create` prints the user id, `user sign-in-link` the URL, alone on the last line.
 * `token create` prints the new token alone on the last line of stdout; it is shown only once.
 * Region settings take effect without a restart, for deadlines armed after the command returns.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { openSqlite } from './store/sqlite/connection.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from './store/sqlite/client.ts';
import * as schema from '../db/schema.ts';
import { isPostgresUrl, openPostgres } from './store/postgres/client.ts';
import { pgClients, pgOutbox, pgPeople, pgRegions } from './store/postgres/store.ts';
import { asAsync, sqlitePeople, type Async, type People } from './store/sqlite/store.ts';
import { pgRetention } from './store/postgres/retention.ts';
import { verifyPostgres } from './store/postgres/verifier.ts';
import { copySqliteToPostgres, sameAudit, TargetNotEmpty } from './store/copy.ts';
import { isIsoDuration } from '../machines/referral.deadlines.ts';
import { RoleSchema, type Role } from '../machines/referral.schemas.ts';
import { auditTrail } from './store/sqlite/audit.ts';
import { createClient, listClients, revokeClient } from './store/sqlite/clients.ts';
import { signInUrl } from './console/sign-in.ts';
import { retention } from './store/sqlite/retention.ts';
import { systemClock } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import { outboxRepository } from './store/sqlite/outbox.ts';
import { municipalityInForce } from '../machines/referral.municipalities.ts';
import { regionSettings } from './store/sqlite/regions.ts';
import { COMMANDS, commandOf, REGION_FLAGS, usage } from './cli/usage.ts';
import { isHousekeepingPeriod } from './housekeeping.ts';
import { isRetention } from './retention/retention.ts';
import { CLI_OPERATOR, type Actor, type NewClient } from './auth/actors.ts';
import { DuplicateEmail, isEmail, SIGN_IN_LINK_MINUTES } from './auth/people.ts';
import type { RegionSettings, RegionUpdate } from './regions/region-settings.ts';

class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new UsageError(`missing --${flag}`);
  return trimmed;
}

/** Where a command writes: stdout and stderr when run as a script, buffers in the tests. */
export interface CliIo { out: Out; err: Out }
type Out = (text: string) => void;

/** The flags of every command; `parseArgs` refuses any other (ERR_PARSE_ARGS_UNKNOWN_OPTION). */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries([...new Set(Object.values(COMMANDS).flatMap((c) => c.flags))]
    .map((flag) => [flag, { type: 'string' as const }])),
} as const satisfies NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * Runs one command line and answers its exit code: 0 done, 1 done but the audit does not verify,
 * 2 not understood (the message and the command's usage on stderr). Other errors are thrown.
 */
export async function runCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let name: string | undefined;
  try {
    const { positionals, values, tokens } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, tokens: true });
    const asked = askedUsage(positionals, values.help);
    if (asked !== undefined) {
      io.out(`${asked}\n`);
      return 0;
    }
    name = commandOf(positionals);
    if (name === undefined) {
      throw new UsageError(positionals.length ? `unknown command: ${positionals.slice(0, 2).join(' ')}` : 'no command given');
    }
    const allowed = new Set(COMMANDS[name]!.flags);
    const stray = tokens.filter((t) => t.kind === 'option' && t.name !== 'help' && !allowed.has(t.name));
    if (stray.length) throw new UsageError(`${name}: unknown flag ${stray.map((t) => (t as { rawName: string }).rawName).join(', ')}`);
    return await dispatch(positionals, values, env, io.out);
  } catch (error) {
    const code = (error as { code?: string }).code;
    name ??= commandOf(argv.filter((arg) => !arg.startsWith('-')));
    if (error instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${parseArgsMessage(error as Error & { code?: string })}\n${usage(name) ?? usage()}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * The usage asked for: all of it (`help`, `--help`), or of a command or group (`help region set`,
 * `region set --help`, `help user`); undefined when none was asked for, or for an unknown command
 * with --help (refused as unknown).
 */
function askedUsage(positionals: string[], help: boolean | undefined): string | undefined {
  if (positionals[0] === 'help') {
    const topic = positionals.slice(1).join(' ') || undefined;
    const text = usage(topic);
    if (text === undefined) throw new UsageError(`unknown command: ${topic}`);
    return text;
  }
  if (!help) return undefined;
  if (positionals.length === 0) return usage();
  return usage(commandOf(positionals) ?? positionals[0]);
}

/** Node's own message for an unknown flag is long; this one names the flag first. */
function parseArgsMessage(error: Error & { code?: string }): string {
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return error.message;
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  return flag ? `unknown flag ${flag}` : error.message;
}

async function dispatch(positionals: string[], values: Record<string, string | boolean | undefined>,
  env: Record<string, string | undefined>, out: Out): Promise<number> {
  const [group, command, ...rest] = positionals as [string, string | undefined, ...string[]];
  const flags = values as Record<string, string | undefined>;
  const config = loadConfig(env);
  if (group === 'audit') return auditCommand(out, config, command);
  if (group === 'backup') {
    if (config.DATABASE_URL) throw new UsageError('on PostgreSQL, back up with the server\'s own tools (pg_dump, or your provider\'s backups)');
    return backupCommand(out, config.DATABASE_PATH, command);
  }
  if (group === 'store') {
    await storeCommand(out, config.DATABASE_PATH, command, flags.to);
    return 0;
  }
  if (group === 'retention') {
    if (config.DATABASE_URL) {
      const db = await openPostgres(config.DATABASE_URL, { max: 2 });
      try {
        await retentionCommand(out, pgRetention(db), command, rest[0], flags['as-of'], flags.reference);
      } finally {
        await db.$client.end();
      }
      return 0;
    }
    const db = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
    try {
      await retentionCommand(out, asAsync(retention(db)), command, rest[0], flags['as-of'], flags.reference);
    } finally {
      db.$client.close();
    }
    return 0;
  }
  const admin = await openAdmin(config);
  try {
    if (group === 'user') await userCommand(out, admin, config, command, rest[0], flags);
    else if (group === 'region') await regionCommand(out, admin, command, rest[0], flags);
    else if (group === 'notifications') {
      const count = await admin.outbox.retryFailed(rest[0], systemClock.now().toISOString());
      out(`${count} notification(s) queued again\n`);
    } else await tokenCommand(out, admin, command, rest[0], flags);
    return 0;
  } finally {
    await admin.close();
  }
}

async function tokenCommand(out: Out, admin: Admin, command: string | undefined, id: string | undefined,
  values: PlaceFlags & { name?: string }): Promise<void> {
  if (command === 'create') {
    const { token, actor } = await admin.clients.create({ ...roleAndPlace(values), name: required(values.name, 'name') },
      systemClock.now());
    out(`created ${actor.role} client ${actor.clientId} for ${actor.organisation} in region ${actor.region}\n`);
    out(`${token}\n`);
  } else if (command === 'list') {
    for (const c of await admin.clients.list()) out(`${JSON.stringify(c)}\n`);
  } else if (command === 'revoke' && id) {
    if (!await admin.clients.revoke(id, systemClock.now())) throw new UsageError('no active client with that id');
    out(`revoked ${id}\n`);
  } else {
    throw new UsageError('token revoke: name the client');
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

async function userCommand(out: Out, { people }: Admin, config: Config, command: string | undefined, id: string | undefined,
  values: PlaceFlags & { name?: string; email?: string }): Promise<void> {
  const now = systemClock.now();
  if (command === 'create') {
    const email = required(values.email, 'email');
    if (!isEmail(email)) throw new UsageError('--email must be an email address');
    try {
      const user = await people.create({ ...roleAndPlace(values), name: required(values.name, 'name'), email }, now);
      out(`created ${user.role} user for ${user.organisation} in region ${user.region}\n`);
      out(`${user.id}\n`);
    } catch (err) {
      if (err instanceof DuplicateEmail) throw new UsageError(err.message);
      throw err;
    }
  } else if (command === 'sign-in-link' && id) {
    const token = await people.signInLink(id, now);
    if (!token) throw new UsageError('no active user with that id');
    out(`one-time sign-in link, valid ${SIGN_IN_LINK_MINUTES} minutes:\n`);
    out(`${signInUrl(config, token)}\n`);
  } else if (command === 'list') {
    for (const u of await people.list()) {
      const { email: _email, ...shown } = u;
      out(`${JSON.stringify(shown)}\n`);
    }
  } else if (command === 'disable' && id) {
    if (!await people.disable(id, now)) throw new UsageError('no active user with that id');
    out(`disabled ${id}\n`);
  } else {
    throw new UsageError(`user ${command}: name the user`);
  }
}

/**
 * Copies the file to an empty PostgreSQL database (src/store/copy.ts), then verifies the audit on
 * both: the copy is good when both end at the same head. Prints the rows per table and both heads.
 */
async function storeCommand(out: Out, path: string, command: string | undefined, to: string | undefined): Promise<void> {
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
    out(`copied ${JSON.stringify(rows)}\n`);
    const copied = (await verifyPostgres(target)).result;
    out(`audit on the file:       ${JSON.stringify(source)}\n`);
    out(`audit on PostgreSQL:     ${JSON.stringify(copied)}\n`);
    if (!sameAudit(source, copied)) {
      throw new UsageError('the audit of the copy does not match the file: do not switch over');
    }
    out(`the copy verifies with the same head: ${copied.head}\n`);
  } catch (error) {
    if (error instanceof TargetNotEmpty) throw new UsageError(error.message);
    throw error;
  } finally {
    sqlite.close();
    await target.$client.end();
  }
}

/** Offline on the database file (no migration, nothing written), or on PostgreSQL. */
async function auditCommand(out: Out, config: Config, command: string | undefined): Promise<number> {
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
  out(`${JSON.stringify(result)}\n`);
  return result.ok ? 0 : 1;
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
async function backupCommand(out: Out, path: string, target: string | undefined): Promise<number> {
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
  out(`${JSON.stringify({ backup: target, audit })}\n`);
  return audit.ok ? 0 : 1;
}

async function regionCommand(out: Out, { regions }: Admin, command: string | undefined, regionId: string | undefined,
  values: Record<string, string | undefined>): Promise<void> {
  const id = required(regionId, 'regionId');
  if (command === 'set') {
    const update: RegionUpdate = {};
    const durations = { triage: 'triage', 'triage-urgent': 'triageUrgent', overleg: 'overleg', advice: 'advice',
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
    printRegion(out, id, await regions.set(id, update, systemClock.now()));
  } else if (command === 'show') {
    printRegion(out, id, await regions.get(id));
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
async function retentionCommand(out: Out, files: Pick<Async<ReturnType<typeof retention>>, 'run' | 'erase'>,
  command: string | undefined, caseId: string | undefined, asOf: string | undefined,
  reference: string | undefined): Promise<void> {
  const now = systemClock.now();
  if (command === 'run') {
    if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of must be a date: YYYY-MM-DD');
    const day = asOf === undefined ? now : new Date(`${asOf}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) throw new UsageError('--as-of must be a date: YYYY-MM-DD');
    const erased = await files.run(day, now, CLI_OPERATOR);
    out(`${JSON.stringify({ asOf: day.toISOString().slice(0, 10), erased })}\n`);
  } else if (command === 'erase' && caseId) {
    if (reference !== undefined && (reference.length > 100 || /[\0-\x1f]/.test(reference))) {
      throw new UsageError('--reference: at most 100 characters, the number of the decision (no names)');
    }
    if (!await files.erase(caseId, now, CLI_OPERATOR, reference)) {
      throw new UsageError('no case with that id, or its content is already destroyed');
    }
    out(`${JSON.stringify({ erased: [caseId] })}\n`);
  } else {
    throw new UsageError('retention erase: name the case');
  }
}

function printRegion(out: Out, id: string, settings: RegionSettings): void {
  const { webhook, env, municipalities, retention: kept, housekeeping: pruneAfter } = settings;
  const shown = {
    region: id, ...env, municipalities, retention: kept, housekeeping: pruneAfter,
    webhook: webhook ? { url: webhook.url, signed: webhook.secret !== null } : null,
  };
  out(`${JSON.stringify(shown, null, 2)}\n`);
}

// Run as a script (`npm run cli`, `node --import tsx src/cli.ts`), not when imported by a test.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
