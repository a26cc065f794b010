import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirLock {
  release(): void;
}

interface LockInfo {
  pid: number;
  purpose: string;
  since: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `The embedded database in ${dir} is in use by another Genjin process (pid ${holder.pid}, ${holder.purpose}, since ${holder.since}). ` +
        'PGlite must never be opened by two processes: stop that process first, or use the HTTP API, or run on PostgreSQL with DATABASE_URL.',
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on an embedded data directory: a lock file holding the owner's pid. A lock
 * left by a process that no longer runs (a crash, kill -9) is taken over.
 */
export function lockDataDir(dir: string, purpose: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'genjin.lock');
  const mine: LockInfo = { pid: process.pid, purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      return {
        release: () => {
          try {
            if ((JSON.parse(readFileSync(file, 'utf8')) as LockInfo).pid === process.pid) unlinkSync(file);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = undefined;
      }
      if (holder && holder.pid !== process.pid && alive(holder.pid)) throw new DataDirInUseError(dir, holder);
      unlinkSync(file);
    }
  }
  throw new Error(`Could not lock ${dir}`);
}
