import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { actorId, type RequestContext } from '../shared/context.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction } from '../shared/rows.ts';
import { ACCEPTED_SUMMARY, extensionOf, recogniseType, SNIFF_BYTES } from './content-types.ts';
import { findStoredFile, insertStoredFile, type StoredFile } from './files.repository.ts';
import { BlobTooLargeError, type FileStore } from './files.store.ts';

export type { StoredFile };

export interface UploadInput {
  /** The file name the client sent (a path is reduced to its last segment). */
  name: string;
  /** The Content-Type the client declared for the file; a hint, checked against the bytes. */
  declaredType: string;
  content: AsyncIterable<Uint8Array>;
  /** The form field the file came in, for error messages. */
  field?: string | undefined;
}

export const DEFAULT_FILE_LIMIT = 20 * 1024 * 1024;

const MAX_NAME = 255;

/** Uploaded files: checked, stored on disk by content, recorded per tenant, read back by id. */
export class FilesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: FileStore,
    /** Largest accepted file in bytes. */
    readonly maxBytes: number = DEFAULT_FILE_LIMIT,
  ) {}

  async upload(ctx: RequestContext, input: UploadInput): Promise<StoredFile> {
    const field = input.field ?? 'file';
    const name = cleanName(input.name);
    let contentType = '';
    let blob;
    try {
      blob = await this.store.put(ctx.tenant.id, input.content, {
        maxBytes: this.maxBytes,
        headBytes: SNIFF_BYTES,
        inspect: (head) => {
          if (head.length === 0) throw emptyFile(field);
          const accepted = recogniseType(name, input.declaredType, head);
          if (!accepted) throw unsupportedType(field, name, input.declaredType);
          contentType = accepted.contentType;
        },
      });
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw tooLarge(field, this.maxBytes);
      throw error;
    }
    const stored = blob;
    return inTransaction(this.db, async (trx) => {
      const row = await insertStoredFile(trx, {
        tenant_id: ctx.tenant.id,
        name,
        content_type: contentType,
        size: String(stored.size),
        sha256: stored.sha256,
        storage_key: stored.key,
        created_by: actorId(ctx),
        created_at: ctx.clock.now(),
      });
      await writeAudit(trx, ctx, { entity: 'stored_file', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  async get(ctx: RequestContext, id: Id): Promise<StoredFile> {
    const row = await findStoredFile(this.db, ctx.tenant.id, requireId(id, 'id'));
    if (!row) throw notFound('file', id);
    return row;
  }

  /** The file's record and a stream of its bytes. */
  async open(ctx: RequestContext, id: Id): Promise<{ file: StoredFile; content: Readable }> {
    const file = await this.get(ctx, id);
    if (!(await this.store.exists(file.storage_key))) {
      throw new DomainError('not_found', 'file_content_missing', `The content of file ${id} is missing from the file store`);
    }
    return { file, content: this.store.read(file.storage_key) };
  }
}

/** The last segment of what the client sent, without control characters, at most 255 characters. */
export function cleanName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (raw.split(/[\\/]/).pop() ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!base || base === '.' || base === '..') return 'file';
  const chars = Array.from(base);
  if (chars.length <= MAX_NAME) return base;
  const extension = extensionOf(base);
  const tail = extension && extension.length < 16 ? `.${extension}` : '';
  return chars.slice(0, MAX_NAME - tail.length).join('') + tail;
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

const fileError = (code: string, field: string, message: string) => new DomainError('invalid', code, `${field}: ${message}`, { fields: [{ field, message }] });

const tooLarge = (field: string, maxBytes: number) => fileError('file_too_large', field, `is larger than the limit of ${formatBytes(maxBytes)}`);

const emptyFile = (field: string) => fileError('empty_file', field, 'is empty');

function unsupportedType(field: string, name: string, declared: string) {
  const what = [declared && `declared as ${declared}`, extensionOf(name) && `.${extensionOf(name)}`].filter(Boolean).join(', ');
  return fileError('unsupported_file_type', field, `is not an accepted kind of file${what ? ` (${what})` : ''}, or its content does not match its type; accepted are ${ACCEPTED_SUMMARY}`);
}
