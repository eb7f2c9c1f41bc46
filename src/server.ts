/**
 * The process: reads the environment, opens the store (src/store/open.ts: the SQLite file at
 * DATABASE_PATH, or PostgreSQL when DATABASE_URL is set), builds the app and listens. Closes
 * cleanly on SIGINT and SIGTERM.
 */
import pino from 'pino';
import { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { loggerOptions } from './logger.ts';
import { openStore } from './store/open.ts';

const config = loadConfig(process.env);
const logger = pino(loggerOptions(config.LOG_LEVEL));

const store = await openStore(config, { clock: systemClock, logger });
const app = await buildApp({ config, store, logger });

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  await app.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.PORT, host: config.HOST });
// Never the URL: it may hold a password.
logger.info(store.kind === 'postgres' ? { store: store.kind } : { store: store.kind, databasePath: config.DATABASE_PATH },
  'passend is ready');
