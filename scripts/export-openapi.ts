/**
 * Writes openapi/openapi.json from the app itself (the same factory the server uses), so the
 * committed document cannot drift from the routes: test/openapi.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/store/sqlite/client.ts';
import { buildApp } from '../src/app.ts';
import { sqliteStore } from '../src/store/sqlite/store.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

export async function generateOpenApi(): Promise<string> {
  const db = openDatabase(':memory:');
  const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store: sqliteStore(db) });
  await app.ready();
  const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  db.$client.close();
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, await generateOpenApi());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
