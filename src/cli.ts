/**
 * The command line (`npm run cli -- ...`), against the database named by DATABASE_PATH:
 *   token create --role <role> --org <orgId> --region <regionId> --name "<display name>"
 *   token list
 *   token revoke <clientId>
 * `token create` prints the new token alone on the last line of stdout; it is shown only once.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.ts';
import { RoleSchema } from '../machines/referral.schemas.ts';
import { createClient, listClients, revokeClient } from './auth/api-clients.ts';
import { systemClock } from './clock.ts';
import { loadConfig } from './config.ts';

const USAGE = `usage:
  npm run cli -- token create --role <local_team|expert_team|inspector|admin> --org <orgId> --region <regionId|*> --name "<display name>"
  npm run cli -- token list
  npm run cli -- token revoke <clientId>`;

class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new UsageError(`missing --${flag}`);
  return trimmed;
}

function run(argv: string[]): void {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' }, org: { type: 'string' }, region: { type: 'string' },
      name: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || group !== 'token') throw new UsageError('unknown command');
  const config = loadConfig(process.env);
  const db = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
  try {
    if (command === 'create') {
      const role = RoleSchema.safeParse(values.role);
      if (!role.success) throw new UsageError('--role must be local_team, expert_team, inspector or admin');
      const region = required(values.region, 'region');
      if (region === '*' && role.data !== 'inspector') {
        throw new UsageError('only an inspector may have region * (national)');
      }
      const { token, actor } = createClient(db, {
        role: role.data, organisation: required(values.org, 'org'), region,
        name: required(values.name, 'name'),
      }, systemClock.now());
      process.stdout.write(`created ${actor.role} client ${actor.clientId} for ${actor.organisation} in region ${actor.region}\n`);
      process.stdout.write(`${token}\n`);
    } else if (command === 'list') {
      for (const c of listClients(db)) process.stdout.write(`${JSON.stringify(c)}\n`);
    } else if (command === 'revoke' && rest[0]) {
      if (!revokeClient(db, rest[0], systemClock.now())) throw new UsageError('no active client with that id');
      process.stdout.write(`revoked ${rest[0]}\n`);
    } else {
      throw new UsageError('unknown command');
    }
  } finally {
    db.$client.close();
  }
}

try {
  run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  throw error;
}
