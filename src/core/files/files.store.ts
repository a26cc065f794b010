import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Id } from '../../db/schema.ts';

export interface StoredBlob {
  /** Path under the store's directory: `<tenant id>/<first two hex digits>/<sha256>`. */
  key: string;
  size: number;
  sha256: string;
}

export class BlobTooLargeError extends Error {}

/**
 * File contents on disk, addressed by their SHA-256 within a tenant: the same bytes uploaded
 * twice are kept once, and a key can never name a path outside the directory.
 */
export class FileStore {
  constructor(private readonly root: string | undefined) {}

  get directory(): string {
    if (!this.root) throw new Error('No directory is configured for uploaded files (GENJIN_FILES_DIR)');
    return this.root;
  }

  /**
   * Streams `source` to a temporary file while hashing it, hands its first `headBytes` bytes to
   * `inspect` (which may throw to refuse the upload) before writing anything, and moves it into
   * place. Nothing is left behind when it fails.
   */
  async put(
    tenantId: Id,
    source: AsyncIterable<Uint8Array>,
    options: { maxBytes: number; headBytes: number; inspect(head: Uint8Array): void },
  ): Promise<StoredBlob> {
    const tmpDir = join(this.directory, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const handle = await open(tmpPath, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    let pending: Buffer[] = [];
    let inspected = false;
    const flush = async () => {
      if (!inspected) {
        options.inspect(Buffer.concat(pending).subarray(0, options.headBytes));
        inspected = true;
      }
      for (const chunk of pending) await handle.write(chunk);
      pending = [];
    };
    try {
      for await (const chunk of source) {
        const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        size += buffer.length;
        if (size > options.maxBytes) throw new BlobTooLargeError();
        hash.update(buffer);
        pending.push(buffer);
        if (inspected || size >= options.headBytes) await flush();
      }
      await flush();
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(tmpPath, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    const key = `${tenantId}/${sha256.slice(0, 2)}/${sha256}`;
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmpPath, target);
    return { key, size, sha256 };
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }

  read(key: string): Readable {
    return createReadStream(this.path(key));
  }

  private path(key: string): string {
    if (!/^\d+\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error(`not a file store key: ${key}`);
    return join(this.directory, key);
  }
}
