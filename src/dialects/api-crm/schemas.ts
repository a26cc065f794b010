import { Type, type Static } from 'typebox';

/**
 * Seed 000's `FollowUpRecordDto` as the body parsers hand it over, whatever the wire format:
 * every scalar as the text it arrived as (JSON numbers keep their exact digits), null for JSON
 * null or `i:nil="true"`, fields the seed does not list already dropped (as Json.NET and
 * DataContractSerializer ignore them). Integers are validated as digits here and read in
 * render.ts, so an int64 never passes through a float.
 */

const Text = (description: string, maxLength: number) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength, description });

/** Digits; empty or 0 mean "not given", as an unset .NET int is sent as 0. */
const Integer = (description: string) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], pattern: '^\\s*[0-9]*\\s*$', maxLength: 40, description });

export const AttachmentInfoBody = Type.Object(
  {
    Id: Type.Optional(Integer('An attachment the follow-up has: kept and changed where given. Absent or 0: a new attachment')),
    BusinessCode: Type.Optional(Text("The client's own category for the attachment (业务编码)", 100)),
    AttachName: Type.Optional(Text('Display name; default: the last segment of AttachUrl', 255)),
    AttachUrl: Type.Optional(Text('http(s) address or a path on this server; required for a new attachment', 2000)),
  },
  { additionalProperties: false },
);

export const FollowUpRecordBody = Type.Object(
  {
    Id: Integer('The follow-up to update (主键id); required'),
    CustomerId: Type.Optional(Integer('Customer (客户ID); changing it moves the follow-up and drops its contacts and opportunity')),
    CustomerName: Type.Optional(Text('Informational; ignored (the customer is CustomerId)', 500)),
    EmployeeId: Type.Optional(Integer('The user who followed up (跟进人ID)')),
    EmployeeName: Type.Optional(Text('Informational; ignored', 500)),
    FtypeId: Type.Optional(Integer('Follow-up type (跟进类型): the stable code of a follow_up_type dictionary item')),
    FtypeName: Type.Optional(Text('Informational; ignored', 500)),
    FResult: Type.Optional(Text('Content of the follow-up (跟进记录), HTML kept as given', 100_000)),
    FSite: Type.Optional(Text('Check-in address (签到地址)', 500)),
    FollowDate: Type.Optional(Text('When it happened: `2026-03-31 21:49:35` in the tenant zone, or ISO 8601', 64)),
    File: Type.Optional(
      Type.Unsafe<Static<typeof AttachmentInfoBody>[] | null>({
        type: ['array', 'null'],
        maxItems: 50,
        items: AttachmentInfoBody,
        description: 'Attachments: items with Id kept/changed, items without added, the others removed. Absent or null: unchanged',
      }),
    ),
  },
  { additionalProperties: false },
);

export type FollowUpRecordBody = Static<typeof FollowUpRecordBody>;
export type AttachmentInfoBody = Static<typeof AttachmentInfoBody>;

/** The seed's field names, for the parsers' case-insensitive matching (Json.NET, model binding). */
export const RECORD_FIELDS = Object.keys(FollowUpRecordBody.properties) as (keyof FollowUpRecordBody)[];
export const ATTACHMENT_FIELDS = Object.keys(AttachmentInfoBody.properties) as (keyof AttachmentInfoBody)[];

/** `Data` of a successful answer: the updated follow-up as a FollowUpRecordDto. Ids are bigint so they serialize as exact JSON integers. */
export interface FollowUpRecordData {
  Id: bigint;
  CustomerId: bigint;
  CustomerName: string;
  EmployeeId: bigint;
  EmployeeName: string;
  /** The type's code; 0 when the follow-up has none. */
  FtypeId: number;
  /** '' when the follow-up has no type. */
  FtypeName: string;
  FResult: string;
  /** '' when no check-in address. */
  FSite: string;
  /** JSON: `YYYY-MM-DD HH:mm:ss` in the tenant zone; XML: xs:dateTime with the tenant's offset. */
  FollowDate: Date;
  File: AttachmentInfoData[];
}

export interface AttachmentInfoData {
  Id: bigint;
  BusinessCode: string;
  AttachName: string;
  /** The external address, or `/api/v1/files/{id}` for a file uploaded to this server. */
  AttachUrl: string;
}

/** The seed's `InfoResult`. */
export interface InfoResult {
  Data: FollowUpRecordData | Record<string, never>;
  IsSuccess: boolean;
  Msg: string;
  Extra: string;
  Code: '000000' | '000001' | '000002';
}
