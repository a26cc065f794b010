import { Type, type Static } from 'typebox';
import type { ContractView } from '../../core/contracts/contracts.types.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Kind = Type.Union([Type.Literal('contract'), Type.Literal('sample_gift')], {
  description: 'contract (合同) or sample_gift (样品赠品订单); only contracts count as the customer\'s deals',
});
const Status = Type.Union([Type.Literal('draft'), Type.Literal('audited'), Type.Literal('stopped')], {
  description: 'draft (草稿) → audited (已审核) → stopped (已终止); audit, unaudit and stop move it',
});
const Amount = Type.String({ pattern: '^(0|[1-9][0-9]{0,15})(\\.[0-9]{1,2})?$', description: 'Amount (金额) as a decimal string, e.g. "12800.50"' });
const Day = (description: string) => Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: `${description} (YYYY-MM-DD)` });
const Title = Type.String({ minLength: 1, maxLength: 200, description: 'Title (标题)' });
const NumberField = Type.String({ minLength: 1, maxLength: 50, description: 'Number (合同编号 / 订单单号), unique in the tenant; generated when absent (HT-YYYYMMDD-<id>, YP-… for sample-gift orders)' });

const fields = {
  customerId: Id('The customer (客户)'),
  kind: Type.Optional(Kind),
  number: Type.Optional(NumberField),
  title: Title,
  amount: Amount,
  signedOn: Type.Optional(Nullable(Day('Sign date (签订日期); the deal counts from it'))),
  startsOn: Type.Optional(Nullable(Day('Start date (开始日期)'))),
  endsOn: Type.Optional(Nullable(Day('End date (结束日期); not before startsOn'))),
  ownerId: Type.Optional(Id('Owner (负责人); default: the caller')),
  note: Type.Optional(Nullable(Type.String({ maxLength: 5000, description: 'Note (备注)' }))),
};

export const CreateContractBody = Type.Object(fields, { additionalProperties: false });
export const UpdateContractBody = Type.Object(
  {
    ...fields,
    customerId: Type.Optional(fields.customerId),
    title: Type.Optional(Title),
    amount: Type.Optional(Amount),
  },
  { additionalProperties: false, minProperties: 1, description: 'Only a draft can be changed' },
);

export const ContractListQuery = Type.Object(
  {
    ...PageQuery,
    customerId: Type.Optional(Id()),
    ownerId: Type.Optional(Id()),
    kind: Type.Optional(Kind),
    status: Type.Optional(Status),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the number or title' })),
    withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
  },
  { additionalProperties: false },
);

export const ContractSchema = Type.Object(
  {
    id: Id(),
    number: Type.String({ description: 'Number (编号)' }),
    customerId: Id(),
    customerName: Type.String({ description: 'Name of the customer (客户名称)' }),
    kind: Kind,
    title: Type.String(),
    amount: Type.String({ description: 'Amount as a decimal string with 2 fractional digits' }),
    signedOn: Nullable(Type.String({ description: 'Sign date (YYYY-MM-DD)' })),
    startsOn: Nullable(Type.String({ description: 'Start date (YYYY-MM-DD)' })),
    endsOn: Nullable(Type.String({ description: 'End date (YYYY-MM-DD)' })),
    ownerId: Id(),
    status: Status,
    dealAt: Nullable(Timestamp('When the deal counts for the customer: the sign date at midnight, else the audit time; null unless audited or stopped')),
    auditedAt: Nullable(Timestamp('When it was audited')),
    auditedBy: Nullable(Id('Who audited it')),
    stoppedAt: Nullable(Timestamp('When it was stopped')),
    stoppedBy: Nullable(Id('Who stopped it')),
    note: Nullable(Type.String()),
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A contract or sample-gift order (合同订单)' },
);

export function renderContract(ctx: Zoned, k: ContractView): Static<typeof ContractSchema> {
  return {
    id: k.id,
    number: k.number,
    customerId: k.customer_id,
    customerName: k.customer_name,
    kind: k.kind,
    title: k.title,
    amount: k.amount,
    signedOn: k.signed_on,
    startsOn: k.starts_on,
    endsOn: k.ends_on,
    ownerId: k.owner_id,
    status: k.status,
    dealAt: maybeTime(ctx, k.deal_at),
    auditedAt: maybeTime(ctx, k.audited_at),
    auditedBy: k.audited_by,
    stoppedAt: maybeTime(ctx, k.stopped_at),
    stoppedBy: k.stopped_by,
    note: k.note,
    createdBy: k.created_by,
    updatedBy: k.updated_by,
    version: k.version,
    createdAt: time(ctx, k.created_at),
    updatedAt: time(ctx, k.updated_at),
  };
}
