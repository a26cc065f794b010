import { Type, type Static } from 'typebox';
import type { CallView, NumberLockView } from '../../core/calls/calls.types.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Direction = Type.Union([Type.Literal('in'), Type.Literal('out')], { description: 'in: the customer called (来电); out: a user called (去电)' });
const When = (description: string) => Type.String({ format: 'date-time', description: `${description} (RFC 3339 with an offset or Z)` });
const Phone = Type.String({ minLength: 3, maxLength: 30, description: 'The other party\'s number (通话号码); spaces, dashes, parentheses and a leading + are dropped' });
const BillingNumber = Type.String({ minLength: 1, maxLength: 40, description: 'Billing (IMS) number the call went through (计费号码 / 电信号码)' });

const callFields = {
  phone: Phone,
  direction: Direction,
  answered: Type.Boolean({ description: 'Whether the call was answered (通话状态: 已接 / 未接)' }),
  startedAt: When('Start (通话开始时间)'),
  endedAt: Type.Optional(Nullable(When('End (通话结束时间); not before startedAt'))),
  durationSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, description: 'Duration in seconds (时长); default: end − start' })),
  recorded: Type.Optional(Type.Boolean({ description: 'Whether it was recorded (是否录音); default: whether recordingUrl is given' })),
  recordingUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Where the recording is' }))),
  billingNumber: Type.Optional(Nullable(BillingNumber)),
  displayNumber: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'The number the other party saw (外显号码)' }))),
  userId: Type.Optional(Id('The user on the call; default: the caller')),
  customerId: Type.Optional(Nullable(Id('The customer; default on create: the live customer whose phones include the number'))),
  remark: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Remark (备注)' }))),
};

export const CreateCallBody = Type.Object(callFields, { additionalProperties: false });
export const UpdateCallBody = Type.Object(
  {
    ...callFields,
    phone: Type.Optional(Phone),
    direction: Type.Optional(Direction),
    answered: Type.Optional(callFields.answered),
    startedAt: Type.Optional(callFields.startedAt),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CallListQuery = Type.Object(
  {
    ...PageQuery,
    customerId: Type.Optional(Id()),
    userId: Type.Optional(Id()),
    phone: Type.Optional(Phone),
    direction: Type.Optional(Direction),
    billingNumber: Type.Optional(BillingNumber),
    startedFrom: Type.Optional(When('Started at or after')),
    startedTo: Type.Optional(When('Started before')),
    withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
  },
  { additionalProperties: false },
);

export const CallSchema = Type.Object(
  {
    id: Id(),
    phone: Type.String({ description: 'The other party\'s number, digits only' }),
    direction: Direction,
    answered: Type.Boolean(),
    startedAt: Timestamp('Start'),
    endedAt: Nullable(Timestamp('End')),
    durationSeconds: Type.Integer({ description: 'Duration in seconds' }),
    recorded: Type.Boolean(),
    recordingUrl: Nullable(Type.String()),
    billingNumber: Nullable(Type.String()),
    displayNumber: Nullable(Type.String()),
    userId: Nullable(Id()),
    userName: Nullable(Type.String({ description: 'Name of the user' })),
    customerId: Nullable(Id()),
    customerName: Nullable(Type.String({ description: 'Name of the matched customer' })),
    remark: Nullable(Type.String()),
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A call log (通话历史记录)' },
);

export function renderCall(ctx: Zoned, k: CallView): Static<typeof CallSchema> {
  return {
    id: k.id,
    phone: k.phone,
    direction: k.direction,
    answered: k.answered,
    startedAt: time(ctx, k.started_at),
    endedAt: maybeTime(ctx, k.ended_at),
    durationSeconds: k.duration_seconds,
    recorded: k.recorded,
    recordingUrl: k.recording_url,
    billingNumber: k.billing_number,
    displayNumber: k.display_number,
    userId: k.user_id,
    userName: k.user_name,
    customerId: k.customer_id,
    customerName: k.customer_name,
    remark: k.remark,
    createdBy: k.created_by,
    updatedBy: k.updated_by,
    version: k.version,
    createdAt: time(ctx, k.created_at),
    updatedAt: time(ctx, k.updated_at),
  };
}

export const CreateNumberLockBody = Type.Object(
  {
    billingNumber: BillingNumber,
    userId: Type.Optional(Id('Who holds it; default: the caller. Another user needs users:manage')),
  },
  { additionalProperties: false },
);

export const NumberLockParams = Type.Object({ billingNumber: BillingNumber }, { additionalProperties: false });

export const NumberLockSchema = Type.Object(
  {
    billingNumber: Type.String({ description: 'The locked billing number' }),
    userId: Id('Who holds it'),
    userName: Type.String(),
    lockedAt: Timestamp('Since when'),
  },
  { description: 'A billing-number lock (IMS 号码锁定)' },
);

export function renderNumberLock(ctx: Zoned, l: NumberLockView): Static<typeof NumberLockSchema> {
  return { billingNumber: l.billing_number, userId: l.user_id, userName: l.user_name, lockedAt: time(ctx, l.locked_at) };
}
