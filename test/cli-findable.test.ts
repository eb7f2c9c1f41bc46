/**
 * The command line of issue 26: `region set --name --phone --email --how-to-refer` (the team's
 * public contact details, checked, an empty value removing one) and `token create --role
 * municipality`, whose organisation must be a CBS code in force.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';
import { openDatabase } from '../src/store/sqlite/client.ts';
import { regionSettings } from '../src/store/sqlite/regions.ts';

let dir: string;
let dbPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'passend-cli-public-'));
  dbPath = join(dir, 'passend.db');
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, { DATABASE_PATH: dbPath, LOG_LEVEL: 'silent' }, {
    out: (text) => { stdout += text; }, err: (text) => { stderr += text; },
  });
  return { status, stdout, stderr };
}

function contact(region: string) {
  const db = openDatabase(dbPath);
  try {
    return regionSettings(db).get(region).contact;
  } finally {
    db.$client.close();
  }
}

describe('region set: the team\'s contact details', () => {
  it('stores and prints the name, phone, e-mail and how to refer', async () => {
    const run = await cli(['region', 'set', 'R7', '--name', 'Expertteam  Twente', '--phone', '+31 53 123 45 67',
      '--email', 'expertteam@twente.example', '--how-to-refer', 'Bel ons.\nOf mail ons.', '--municipalities', 'GM0153']);
    expect(run.status, run.stderr).toBe(0);
    const expected = { name: 'Expertteam Twente', phone: '+31 53 123 45 67', email: 'expertteam@twente.example', howToRefer: 'Bel ons.\nOf mail ons.' };
    expect(JSON.parse(run.stdout).contact).toEqual(expected);
    expect(contact('R7')).toEqual(expected);
  });

  it.each([
    ['--phone', 'bel ons maar'], ['--phone', '12'], ['--phone', '+31 53 123 45 67 89 01 23'], ['--email', 'geen-adres'],
    ['--name', 'x'.repeat(101)], ['--how-to-refer', 'y'.repeat(1001)], ['--name', 'a\u0007b'],
  ])('refuses %s %s: exit 2, a message naming the flag, nothing changed', async (flag, value) => {
    const before = contact('R7');
    const run = await cli(['region', 'set', 'R7', flag, value]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(run.stdout).toBe('');
    expect(contact('R7')).toEqual(before);
  });

  it('an empty value removes a detail', async () => {
    const run = await cli(['region', 'set', 'R7', '--phone', '']);
    expect(run.status, run.stderr).toBe(0);
    expect(contact('R7')).toMatchObject({ name: 'Expertteam Twente', phone: null });
  });
});

describe('token create --role municipality', () => {
  it('needs a CBS code in force as its organisation, and one region', async () => {
    for (const org of ['GM9999', 'GM0370', 'Enschede']) {
      const run = await cli(['token', 'create', '--role', 'municipality', '--org', org, '--region', 'R7', '--name', 'Gemeente']);
      expect(run.status, org).toBe(2);
      expect(run.stderr).toMatch(/CBS code/);
    }
    const national = await cli(['token', 'create', '--role', 'municipality', '--org', 'GM0153', '--region', '*', '--name', 'Gemeente']);
    expect(national.status).toBe(2);
    const made = await cli(['token', 'create', '--role', 'municipality', '--org', 'gm0153', '--region', 'R7', '--name', 'Gemeente Enschede']);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain('created municipality client');
    expect(made.stdout).toContain('for GM0153 in region R7');
  });
});
