/**
 * Writes openapi/openapi.json from the app itself (the same factory the server uses), so the
 * committed document cannot drift from the routes: test/openapi.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { openStore } from '../src/store/open.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

export async function generateOpenApi(): Promise<string> {
  const store = await openStore({
    DATABASE_PATH: ':memory:', SQLITE_SYNCHRONOUS: 'FULL', CHECKPOINT_INTERVAL_MS: 0, GROUP_COMMIT: 'off', SESSION_IDLE_MINUTES: 30,
  }, { clock: systemClock, use: 'command' });
  const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store });
  await app.ready();
  const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, await generateOpenApi());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
