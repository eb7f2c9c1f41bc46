/**
 * The process: reads the environment, opens the database (migrating it), starts the WAL
 * checkpointer, builds the app and listens. Closes cleanly on SIGINT and SIGTERM.
 */
import pino from 'pino';
import { openDatabase } from '../db/client.ts';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { startCheckpointer } from './db/checkpointer.ts';
import { loggerOptions } from './logger.ts';

const config = loadConfig(process.env);
const logger = pino(loggerOptions(config.LOG_LEVEL));

const background = config.CHECKPOINT_INTERVAL_MS > 0;
const db = openDatabase(config.DATABASE_PATH, {
  synchronous: config.SQLITE_SYNCHRONOUS,
  walAutocheckpoint: background ? 0 : undefined,
});
const checkpointer = background
  ? startCheckpointer(config.DATABASE_PATH, config.CHECKPOINT_INTERVAL_MS, logger,
    () => db.$client.pragma('wal_autocheckpoint = 1000'))
  : undefined;

const app = await buildApp({ config, db, logger });

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  await app.close();
  await checkpointer?.stop();
  db.$client.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.PORT, host: config.HOST });
logger.info({ databasePath: config.DATABASE_PATH }, 'passend is ready');
