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
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isIsoDuration } from '../machines/referral.deadlines.ts';
import { municipalityInForce } from '../machines/referral.municipalities.ts';
import { ROLES, RoleSchema, type Role } from '../machines/referral.schemas.ts';
import { CLI_OPERATOR } from './auth/actors.ts';
import { DuplicateEmail, isEmail, SIGN_IN_LINK_MINUTES } from './auth/people.ts';
import { NOTICE_PREFERENCES, type NoticePreference } from './notifications/notices.ts';
import { systemClock } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import { signInUrl } from './console/sign-in.ts';
import { isHousekeepingPeriod } from './housekeeping.ts';
import { InvalidOrganisation } from './organisations/organisations.ts';
import { contactProblem, type RegionSettings, type RegionUpdate } from './regions/region-settings.ts';
import { isRetention } from './retention/retention.ts';
import { TargetNotEmpty } from './store/copy.ts';
import {
  backupStore, copyFileToPostgres, openStore, StoreCommandRefused, verifyStoreAudit,
} from './store/open.ts';
import type { Retention, Store } from './store/port.ts';
import { COMMANDS, commandOf, usage } from './cli/usage.ts';

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
  try {
    if (group === 'audit') return await auditCommand(out, config, command);
    if (group === 'backup') return await backupCommand(out, config, command);
    if (group === 'store') {
      await storeCommand(out, config.DATABASE_PATH, command, flags.to);
      return 0;
    }
  } catch (error) {
    if (error instanceof StoreCommandRefused) throw new UsageError(error.message);
    throw error;
  }
  const store = await openStore(config, { clock: systemClock, use: 'command' });
  try {
    if (group === 'retention') {
      await retentionCommand(out, store.retention, command, rest[0], flags['as-of'], flags.reference);
    } else if (group === 'user') await userCommand(out, store, config, command, rest[0], flags);
    else if (group === 'region') await regionCommand(out, store, command, rest[0], flags);
    else if (group === 'organisation') await organisationCommand(out, store, command, rest[0], flags.name);
    else if (group === 'notifications') {
      const count = await store.outbox.retryFailed(rest[0], systemClock.now().toISOString());
      out(`${count} notification(s) queued again\n`);
    } else await tokenCommand(out, store, command, rest[0], flags);
    return 0;
  } finally {
    await store.close();
  }
}

async function tokenCommand(out: Out, admin: Store, command: string | undefined, id: string | undefined,
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

interface PlaceFlags { role?: string; org?: string; region?: string }

/** The role, organisation and region of a new client or user, checked. */
function roleAndPlace(values: PlaceFlags): { role: Role; organisation: string; region: string } {
  const role = RoleSchema.safeParse(values.role);
  if (!role.success) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const region = required(values.region, 'region');
  // An admin of region `*` manages every region, and may make inspectors and admins (§6.3).
  if (region === '*' && role.data !== 'inspector' && role.data !== 'admin') {
    throw new UsageError('only an inspector or an admin may have region * (national)');
  }
  let organisation = required(values.org, 'org');
  if (role.data === 'municipality') {
    // A municipality is its CBS code, in force today (§6.4): the code its figures are counted by.
    organisation = organisation.trim().toUpperCase();
    if (!municipalityInForce(organisation, systemClock.now())) {
      throw new UsageError('--org of a municipality must be its CBS code in force today (GM + 4 digits, e.g. GM0153)');
    }
  }
  return { role: role.data, organisation, region };
}

async function userCommand(out: Out, { people }: Store, config: Config, command: string | undefined, id: string | undefined,
  values: PlaceFlags & { name?: string; email?: string; notices?: string }): Promise<void> {
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
  } else if (command === 'enable' && id) {
    if (!await people.enable(id, now)) throw new UsageError('no disabled user with that id');
    out(`enabled ${id}\n`);
  } else if (command === 'set' && id) {
    const notices = values.notices;
    if (!(NOTICE_PREFERENCES as readonly (string | undefined)[]).includes(notices)) {
      throw new UsageError('--notices must be instant, daily or off');
    }
    if (!await people.setNotices(id, notices as NoticePreference)) throw new UsageError('no user with that id');
    out(`notices of ${id}: ${notices}\n`);
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
  if (!to || !/^postgres(ql)?:\/\//.test(to)) throw new UsageError('name the target with --to postgres://…');
  try {
    const { rows, source, copied, same } = await copyFileToPostgres(path, to);
    out(`copied ${JSON.stringify(rows)}\n`);
    out(`audit on the file:       ${JSON.stringify(source)}\n`);
    out(`audit on PostgreSQL:     ${JSON.stringify(copied)}\n`);
    if (!same) throw new UsageError('the audit of the copy does not match the file: do not switch over');
    out(`the copy verifies with the same head: ${copied.head}\n`);
  } catch (error) {
    if (error instanceof TargetNotEmpty) throw new UsageError(error.message);
    throw error;
  }
}

/** Offline on the database file (no migration, nothing written), or on PostgreSQL. */
async function auditCommand(out: Out, config: Config, command: string | undefined): Promise<number> {
  if (command !== 'verify') throw new UsageError('unknown command');
  const result = await verifyStoreAudit(config);
  out(`${JSON.stringify(result)}\n`);
  return result.ok ? 0 : 1;
}

/** A consistent copy of the SQLite file while the service runs (src/store/open.ts), its audit verified. */
async function backupCommand(out: Out, config: Config, target: string | undefined): Promise<number> {
  const audit = await backupStore(config, target);
  out(`${JSON.stringify({ backup: target, audit })}\n`);
  return audit.ok ? 0 : 1;
}

async function organisationCommand(out: Out, { organisations }: Store, command: string | undefined, orgId: string | undefined,
  name: string | undefined): Promise<void> {
  if (command === 'list') {
    for (const [id, named] of await organisations.names()) out(`${JSON.stringify({ id, name: named })}\n`);
    return;
  }
  const id = required(orgId, 'orgId');
  try {
    await organisations.set(id, required(name, 'name'), systemClock.now());
  } catch (error) {
    if (error instanceof InvalidOrganisation) throw new UsageError(error.message);
    throw error;
  }
  out(`${JSON.stringify({ id, name: (await organisations.names()).get(id) })}\n`);
}

async function regionCommand(out: Out, { regions }: Store, command: string | undefined, regionId: string | undefined,
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
    const norm = values['waiting-norm'];
    if (norm !== undefined) {
      if (norm !== '' && !/^\d{1,3}$/.test(norm)) throw new UsageError('--waiting-norm must be a whole number of weeks, or empty to remove it');
      update.waitingNorm = norm === '' ? null : Number(norm);
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
    // How the public reaches the team (§6.4, /expertteams): empty removes a detail.
    const contact = { name: ['teamName', 'name'], phone: ['phone', 'phone'], email: ['email', 'email'],
      'how-to-refer': ['howToRefer', 'howToRefer'] } as const;
    for (const [flag, [column, key]] of Object.entries(contact)) {
      const given = values[flag];
      if (given === undefined) continue;
      const value = flag === 'how-to-refer' ? given.trim() : given.trim().replace(/\s+/g, ' ');
      const problem = contactProblem(key, value);
      if (problem !== null) throw new UsageError(`--${flag} must be ${problem}, or empty to remove it`);
      update[column] = value === '' ? null : value;
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
async function retentionCommand(out: Out, files: Pick<Retention, 'run' | 'erase'>,
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
  const { webhook, env, municipalities, retention: kept, housekeeping: pruneAfter, contact, waitingNorm } = settings;
  const shown = {
    region: id, ...env, municipalities, retention: kept, housekeeping: pruneAfter, contact, waitingNorm,
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
