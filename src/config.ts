import { join, resolve } from 'node:path';
import { DEFAULT_CREDENTIAL_TTL_MS } from './core/auth/credentials.ts';
import { DEFAULT_PREPARED_STATEMENTS } from './db/prepared.ts';

/** Everything Genjin can be configured with; flags win over environment variables. */
export interface Config {
  port: number;
  host: string;
  /** Embedded database directory; unused when databaseUrl is set. */
  dataDir: string;
  /** Uploaded files; default `<dataDir>/files`. */
  filesDir: string;
  /** Largest accepted upload in bytes. */
  fileLimit: number;
  databaseUrl: string | undefined;
  poolSize: number;
  /** Named prepared statements per PostgreSQL connection (DATABASE_PREPARED_STATEMENTS; 0 = none). */
  preparedStatements: number;
  bodyLimit: number;
  /** How long a token's credentials are kept between lookups, in seconds (GENJIN_CREDENTIAL_CACHE_SECONDS; 0 = not kept). */
  credentialCacheSeconds: number;
  logLevel: string;
  /** Whether `genjin serve` runs the job runner too (env GENJIN_JOBS=off turns it off). */
  jobs: boolean;
}

export interface ConfigFlags {
  port?: string | undefined;
  host?: string | undefined;
  data?: string | undefined;
}

/** An integer setting of at least `min` (1, or 0 where 0 turns something off). */
function integer(name: string, value: string | undefined, fallback: number, min: 0 | 1): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be ${min === 0 ? '0 or ' : ''}a positive integer, got "${value}"`);
  return n;
}

const positiveInt = (name: string, value: string | undefined, fallback: number) => integer(name, value, fallback, 1);

function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(on|true|1|yes)$/i.test(value)) return true;
  if (/^(off|false|0|no)$/i.test(value)) return false;
  throw new Error(`${name} must be on or off, got "${value}"`);
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(flags.data ?? env.GENJIN_DATA_DIR ?? './data');
  const port = positiveInt(flags.port !== undefined ? '--port' : 'PORT', flags.port ?? env.PORT, 8080);
  if (port > 65535) throw new Error(`port must be at most 65535, got ${port}`);
  return {
    port,
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    dataDir,
    filesDir: env.GENJIN_FILES_DIR ? resolve(env.GENJIN_FILES_DIR) : join(dataDir, 'files'),
    fileLimit: positiveInt('GENJIN_FILE_LIMIT', env.GENJIN_FILE_LIMIT, 20 * 1024 * 1024),
    databaseUrl: env.DATABASE_URL || undefined,
    poolSize: positiveInt('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, 10),
    preparedStatements: integer('DATABASE_PREPARED_STATEMENTS', env.DATABASE_PREPARED_STATEMENTS, DEFAULT_PREPARED_STATEMENTS, 0),
    bodyLimit: positiveInt('GENJIN_BODY_LIMIT', env.GENJIN_BODY_LIMIT, 1024 * 1024),
    credentialCacheSeconds: integer('GENJIN_CREDENTIAL_CACHE_SECONDS', env.GENJIN_CREDENTIAL_CACHE_SECONDS, DEFAULT_CREDENTIAL_TTL_MS / 1000, 0),
    logLevel: env.LOG_LEVEL ?? 'info',
    jobs: onOff('GENJIN_JOBS', env.GENJIN_JOBS, true),
  };
}
