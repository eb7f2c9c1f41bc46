/**
 * What the command line accepts: one entry per command, with the flags it takes and a line that
 * says what it does. The parser (src/cli.ts) refuses a flag the command does not list, and
 * `help`, `--help` and `help <command>` print these entries.
 */
export interface CommandSpec {
  /** The arguments after the command's name, as shown in the usage. */
  args: string;
  /** The flags (without `--`) the command accepts; `--help` is accepted everywhere. */
  flags: readonly string[];
  about: string;
}

const ROLES = '<local_team|expert_team|inspector|admin|municipality|provider>';

export const REGION_FLAGS = [
  'triage', 'triage-urgent', 'overleg', 'advice', 'checkpoint', 'reassessment', 'escalation',
  'bridging-threshold-weeks', 'webhook-url', 'webhook-secret', 'municipalities', 'retention', 'housekeeping',
  'name', 'phone', 'email', 'how-to-refer', 'waiting-norm',
] as const;

export const COMMANDS: Record<string, CommandSpec> = {
  'token create': {
    args: `--role ${ROLES} --org <orgId> --region <regionId|*> --name "<display name>"`,
    flags: ['role', 'org', 'region', 'name'],
    about: 'an API client; its token is printed once, alone on the last line',
  },
  'token list': { args: '', flags: [], about: 'the API clients, one JSON object a line' },
  'token revoke': { args: '<clientId>', flags: [], about: 'the client\'s token stops working at once' },
  'region set': {
    args: '<regionId> [--triage P5D] [--triage-urgent P1D] [--overleg P14D] [--checkpoint P28D]\n'
      + '      [--advice P14D] [--reassessment P3M] [--escalation P21D] [--bridging-threshold-weeks 0]\n'
      + '      [--webhook-url URL] [--webhook-secret SECRET] [--municipalities GM0153,GM0164,...]\n'
      + '      [--retention P20Y] [--housekeeping P30D] [--waiting-norm <weeks>]\n'
      + '      [--name "<team name>"] [--phone "<phone>"] [--email <email>] [--how-to-refer "<how to refer>"]',
    flags: REGION_FLAGS,
    about: 'changes only the settings named (an empty contact detail removes it); prints the region\'s settings as JSON',
  },
  'region show': { args: '<regionId>', flags: [], about: 'the region\'s settings as JSON' },
  'organisation set': {
    args: '<orgId> --name "<name people use>"', flags: ['name'],
    about: 'the name the console shows for an organisation id (people and clients act for ids)',
  },
  'organisation list': { args: '', flags: [], about: 'the named organisations, one JSON object a line' },
  'notifications retry': { args: '[<notificationId>]', flags: [], about: 'puts failed notifications back in the queue' },
  'audit verify': { args: '', flags: [], about: 'checks the audit chain; exit 0 when intact, 1 when not' },
  backup: { args: '<file>', flags: [], about: 'a consistent copy of the SQLite file while the service runs, its audit verified' },
  'retention run': { args: '[--as-of YYYY-MM-DD]', flags: ['as-of'], about: 'destroys the content of files past their retention' },
  'retention erase': {
    args: '<caseId> [--reference "<decision number>"]', flags: ['reference'],
    about: 'destroys one file\'s content now, because the law requires it',
  },
  'user create': {
    args: `--role ${ROLES} --org <orgId> --region <regionId|*> --name "<name>" --email <email>`,
    flags: ['role', 'org', 'region', 'name', 'email'],
    about: 'a person for the console; prints the user id alone on the last line',
  },
  'user sign-in-link': { args: '<userId>', flags: [], about: 'a one-time console sign-in URL, valid 15 minutes' },
  'user list': { args: '', flags: [], about: 'the people, one JSON object a line (no email addresses)' },
  'user disable': { args: '<userId>', flags: [], about: 'the person can no longer sign in' },
  'user enable': { args: '<userId>', flags: [], about: 'a disabled person can sign in again' },
  'user set': {
    args: '<userId> --notices <instant|daily|off>', flags: ['notices'],
    about: 'how the person gets e-mail notices: one mail each (default), one digest a day, or none',
  },
  'store copy': {
    args: '--to postgres://user@host:5432/passend', flags: ['to'],
    about: 'copies the SQLite file to an empty PostgreSQL database and compares their audits',
  },
};

export const GROUPS = [...new Set(Object.keys(COMMANDS).map((name) => name.split(' ')[0]!))];

/** The command a list of positionals names (`region set R9` → `region set`), if any. */
export function commandOf(positionals: readonly string[]): string | undefined {
  const [group, command] = positionals;
  if (group === undefined) return undefined;
  if (group in COMMANDS) return group;
  const name = `${group} ${command ?? ''}`;
  return name in COMMANDS ? name : undefined;
}

function entry(name: string): string {
  const { args, about } = COMMANDS[name]!;
  return `  npm run cli -- ${name}${args ? ` ${args}` : ''}\n      ${about}`;
}

/**
 * The usage of every command, or of those under `topic` (a group such as `region`, or a command
 * such as `region set`); undefined when the topic names nothing.
 */
export function usage(topic?: string): string | undefined {
  const names = Object.keys(COMMANDS).filter((name) => !topic || name === topic || name.startsWith(`${topic} `));
  if (names.length === 0) return undefined;
  const footer = topic ? '' : '\n\nThe database: DATABASE_PATH (SQLite, default data/passend.db), or DATABASE_URL (PostgreSQL).\n'
    + 'npm run cli -- help <command> shows one command; exit 2 means the command was not understood.';
  return `usage:\n${names.map(entry).join('\n')}${footer}`;
}
