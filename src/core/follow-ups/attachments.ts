import type { Transaction } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import type { AttachmentInput, AttachmentView } from './follow-ups.types.ts';

const MAX_ATTACHMENTS = 50;
const MAX_URL = 2000;

/** A URL a console may link to: http(s), or a path on this server; never javascript: or data:. */
function checkUrl(url: string, field: string): string {
  const text = url.trim();
  if (!text) throw invalidField(field, 'must not be empty');
  if (text.length > MAX_URL) throw invalidField(field, `must be at most ${MAX_URL} characters`);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') throw invalidField(field, 'must be an http or https URL, or a path');
  return text;
}

function nameFromUrl(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  const last = path.split('/').filter(Boolean).at(-1);
  if (!last) return 'attachment';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * Makes a follow-up's attachments what the write lists (seed 000's update semantics): items with
 * an id are kept and changed where given, items without one are added, the rest are removed.
 * Returns the lists before and after, or null when nothing changed.
 */
export async function syncAttachments(
  trx: Transaction<DB>,
  ctx: RequestContext,
  followUpId: Id,
  inputs: AttachmentInput[],
  created: boolean,
): Promise<{ before: AttachmentView[]; after: AttachmentView[] } | null> {
  if (inputs.length > MAX_ATTACHMENTS) throw invalidField('attachments', `must have at most ${MAX_ATTACHMENTS} items`);
  const tenantId = ctx.tenant.id;
  const existing: AttachmentView[] = created
    ? []
    : await trx
        .selectFrom('follow_up_attachment')
        .select(['id', 'name', 'url', 'file_id', 'business_code'])
        .where('tenant_id', '=', tenantId)
        .where('follow_up_id', '=', followUpId)
        .orderBy('id')
        .execute();
  const byId = new Map(existing.map((a) => [a.id, a]));
  const kept = new Set<Id>();
  const wanted = inputs.map((input, i) => {
    const at = `attachments[${i}]`;
    let base: AttachmentView | undefined;
    if (input.id !== undefined) {
      const id = requireId(input.id, `${at}.id`);
      base = byId.get(id);
      if (!base) throw invalidField(`${at}.id`, `is not an attachment of this follow-up`, 'reference_not_found');
      if (kept.has(id)) throw invalidField(`${at}.id`, 'is listed twice');
      kept.add(id);
    }
    const url = input.url === undefined ? (base?.url ?? null) : input.url === null ? null : checkUrl(input.url, `${at}.url`);
    const fileId = input.fileId === undefined ? (base?.file_id ?? null) : input.fileId === null ? null : requireId(input.fileId, `${at}.fileId`);
    if (url === null && fileId === null) throw invalidField(at, 'needs a url or a fileId');
    const name = input.name === undefined ? base?.name : input.name.trim() || undefined;
    if (name !== undefined && name.length > 255) throw invalidField(`${at}.name`, 'must be at most 255 characters');
    const businessCode = input.businessCode === undefined ? (base?.business_code ?? null) : input.businessCode?.trim() || null;
    if (businessCode !== null && businessCode.length > 100) throw invalidField(`${at}.businessCode`, 'must be at most 100 characters');
    return { at, id: base?.id, name, url, file_id: fileId, business_code: businessCode };
  });

  const fileIds = [...new Set(wanted.map((w) => w.file_id).filter((id): id is Id => id !== null))];
  const files = fileIds.length
    ? new Map((await trx.selectFrom('stored_file').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', fileIds).execute()).map((f) => [f.id, f.name]))
    : new Map<Id, string>();
  for (const w of wanted) {
    if (w.file_id !== null && !files.has(w.file_id)) throw invalidField(`${w.at}.fileId`, `file ${w.file_id} does not exist`, 'reference_not_found');
  }

  const removed = existing.filter((a) => !kept.has(a.id)).map((a) => a.id);
  if (removed.length) await trx.deleteFrom('follow_up_attachment').where('tenant_id', '=', tenantId).where('id', 'in', removed).execute();
  const after: AttachmentView[] = [];
  let changed = removed.length > 0;
  for (const w of wanted) {
    const values = {
      name: w.name ?? (w.file_id !== null ? files.get(w.file_id)! : nameFromUrl(w.url!)),
      url: w.url,
      file_id: w.file_id,
      business_code: w.business_code,
    };
    if (w.id === undefined) {
      const row = await trx
        .insertInto('follow_up_attachment')
        .values({ tenant_id: tenantId, follow_up_id: followUpId, ...values, created_at: ctx.clock.now() })
        .returning(['id', 'name', 'url', 'file_id', 'business_code'])
        .executeTakeFirstOrThrow();
      after.push(row);
      changed = true;
      continue;
    }
    const base = byId.get(w.id)!;
    if (base.name !== values.name || base.url !== values.url || base.file_id !== values.file_id || base.business_code !== values.business_code) {
      await trx.updateTable('follow_up_attachment').set(values).where('tenant_id', '=', tenantId).where('id', '=', w.id).execute();
      changed = true;
    }
    after.push({ id: w.id, ...values });
  }
  return changed ? { before: existing, after } : null;
}
