import type { AttachmentInput, FollowUpChanges, FollowUpView } from '../../core/follow-ups/follow-ups.types.ts';
import { invalidField } from '../../core/shared/errors.ts';
import type { Id } from '../../db/schema.ts';
import { parseFollowDate } from './dates.ts';
import type { AttachmentInfoBody, FollowUpRecordBody, FollowUpRecordData } from './schemas.ts';

/** Wire ↔ core for seed 000's FollowUpRecordDto. Errors name the core field; errors.ts renames it. */

const INT32_MAX = 2_147_483_647n;

/** Digits as an id, or undefined for "not given" (absent, null, empty, 0). */
function optionalId(value: string | null | undefined): Id | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const digits = text.replace(/^0+/, '');
  return digits === '' ? undefined : digits;
}

export interface RecordUpdate {
  id: Id;
  /** FtypeId: a follow_up_type code, resolved by the route through the service. */
  typeCode: number | undefined;
  changes: FollowUpChanges;
}

/**
 * What an update changes. Absent or null fields stay as they are; so do 0 ids and an unset
 * date, the values a .NET client sends for members it did not set.
 */
export function readRecord(body: FollowUpRecordBody, timeZone: string): RecordUpdate {
  const id = optionalId(body.Id);
  if (id === undefined) throw invalidField('id', 'is required');
  const changes: FollowUpChanges = { detachOnMove: true };
  const customerId = optionalId(body.CustomerId);
  if (customerId !== undefined) changes.customerId = customerId;
  const userId = optionalId(body.EmployeeId);
  if (userId !== undefined) changes.userId = userId;
  let typeCode: number | undefined;
  const code = optionalId(body.FtypeId);
  if (code !== undefined) {
    if (BigInt(code) > INT32_MAX) throw invalidField('typeCode', `${code} is not a code of the follow_up_type dictionary`, 'reference_not_found');
    typeCode = Number(code);
  }
  if (typeof body.FResult === 'string') changes.content = body.FResult;
  if (typeof body.FSite === 'string') changes.site = body.FSite;
  if (typeof body.FollowDate === 'string' && body.FollowDate.trim() !== '') {
    const at = parseFollowDate(body.FollowDate, timeZone);
    if (at === null) throw invalidField('followedAt', 'must be a time such as 2026-03-31 21:49:35 or 2026-03-31T21:49:35+08:00');
    if (at !== 'unset') changes.followedAt = at;
  }
  if (Array.isArray(body.File)) changes.attachments = body.File.map(readAttachment);
  return { id, typeCode, changes };
}

function readAttachment(item: AttachmentInfoBody): AttachmentInput {
  const input: AttachmentInput = {};
  const id = optionalId(item.Id);
  if (id !== undefined) input.id = id;
  if (typeof item.AttachName === 'string') input.name = item.AttachName;
  if (typeof item.AttachUrl === 'string' && item.AttachUrl.trim() !== '') input.url = item.AttachUrl;
  if (item.BusinessCode !== undefined) input.businessCode = item.BusinessCode;
  return input;
}

/** The updated follow-up as `Data`. */
export function renderRecord(view: FollowUpView): FollowUpRecordData {
  return {
    Id: BigInt(view.id),
    CustomerId: BigInt(view.customer_id),
    CustomerName: view.customer_name,
    EmployeeId: BigInt(view.user_id),
    EmployeeName: view.user_name,
    FtypeId: view.type?.code ?? 0,
    FtypeName: view.type?.name ?? '',
    FResult: view.content,
    FSite: view.site ?? '',
    FollowDate: view.followed_at,
    File: view.attachments.map((a) => ({
      Id: BigInt(a.id),
      BusinessCode: a.business_code ?? '',
      AttachName: a.name,
      AttachUrl: a.url ?? `/api/v1/files/${a.file_id}`,
    })),
  };
}
