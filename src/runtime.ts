import type { Config } from './config.ts';
import { createServices, type Services } from './core/services.ts';
import { lockDataDir, type DataDirLock } from './db/data-dir-lock.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';

/** An open, migrated database with the services over it: what every command starts from. */
export interface Runtime {
  config: Config;
  database: Database;
  services: Services;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, purpose: string, options: { migrate?: boolean } = {}): Promise<Runtime> {
  const lock: DataDirLock | undefined = config.databaseUrl ? undefined : lockDataDir(config.dataDir, purpose);
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize, preparedStatements: config.preparedStatements });
    if (options.migrate !== false) await migrate(database);
  } catch (error) {
    await database?.close().catch(() => {});
    lock?.release();
    throw error;
  }
  const opened = database;
  return {
    config,
    database: opened,
    services: createServices(opened.db, {
      filesDir: config.filesDir,
      fileLimit: config.fileLimit,
      credentialTtlMs: config.credentialCacheSeconds * 1000,
    }),
    close: async () => {
      try {
        await opened.close();
      } finally {
        lock?.release();
      }
    },
  };
}
