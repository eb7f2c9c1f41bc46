/**
 * The process: reads the environment, opens the store (migrating it), builds the app and listens.
 * The store is the SQLite file at DATABASE_PATH (with its WAL checkpointer), or PostgreSQL when
 * DATABASE_URL is set (DESIGN §5.5: any number of instances on one database). Closes cleanly on
 * SIGINT and SIGTERM.
 */
import pino from 'pino';
import { openDatabase } from './store/sqlite/client.ts';
import { openPostgres } from './store/postgres/client.ts';
import { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { startCheckpointer } from './store/sqlite/checkpointer.ts';
import { loggerOptions } from './logger.ts';
import { postgresServices } from './store/postgres/store.ts';
import { rewriteOnceAfterUpgrade } from './store/sqlite/retention.ts';

const config = loadConfig(process.env);
const logger = pino(loggerOptions(config.LOG_LEVEL));

async function open() {
  if (config.DATABASE_URL) {
    const services = postgresServices(await openPostgres(config.DATABASE_URL), systemClock,
      { sessionIdleMinutes: config.SESSION_IDLE_MINUTES, logger });
    return { app: await buildApp({ config, services, logger }), store: 'postgres', stop: async () => {} };
  }
  const background = config.CHECKPOINT_INTERVAL_MS > 0;
  const db = openDatabase(config.DATABASE_PATH, {
    synchronous: config.SQLITE_SYNCHRONOUS,
    walAutocheckpoint: background ? 0 : undefined,
  });
  // Once per file: what erasures by an older version left in free space goes (issue 29).
  const started = performance.now();
  if (rewriteOnceAfterUpgrade(db.$client)) {
    logger.info({ ms: Math.round(performance.now() - started) }, 'database file rewritten once, so that no erased text remains in it');
  }
  const checkpointer = background
    ? startCheckpointer(config.DATABASE_PATH, config.CHECKPOINT_INTERVAL_MS, logger,
      () => db.$client.pragma('wal_autocheckpoint = 1000'))
    : undefined;
  return {
    app: await buildApp({ config, db, logger }),
    store: 'sqlite',
    stop: async () => {
      await checkpointer?.stop();
      db.$client.close();
    },
  };
}

const { app, store, stop } = await open();

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  await app.close();
  await stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.PORT, host: config.HOST });
// Never the URL: it may hold a password.
logger.info(store === 'postgres' ? { store } : { store, databasePath: config.DATABASE_PATH }, 'passend is ready');
