import { Type } from 'typebox';
import type { StoredFile } from '../../core/files/files.service.ts';
import { Id, Timestamp } from './common.ts';
import { time, type Zoned } from './render.ts';

export const FileSchema = Type.Object(
  {
    id: Id(),
    name: Type.String({ description: 'File name as uploaded (without any directory part)' }),
    contentType: Type.String({ description: 'The accepted type, as recognised from the declared type, the extension and the first bytes' }),
    size: Type.Integer({ description: 'Size in bytes' }),
    sha256: Type.String({ description: 'SHA-256 of the content, in hex' }),
    url: Type.String({ description: 'Where to download it (needs the same bearer token)' }),
    createdAt: Timestamp('When it was uploaded'),
  },
  { description: 'A stored file (附件)' },
);

export const fileUrl = (id: string) => `/api/v1/files/${id}`;

export const renderFile = (ctx: Zoned, file: StoredFile) => ({
  id: file.id,
  name: file.name,
  contentType: file.content_type,
  size: Number(file.size),
  sha256: file.sha256,
  url: fileUrl(file.id),
  createdAt: time(ctx, file.created_at),
});

/**
 * Content-Disposition with the UTF-8 name (RFC 6266, RFC 5987 `filename*`) and an ASCII
 * fallback for clients that read only `filename`.
 */
export function contentDisposition(disposition: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
