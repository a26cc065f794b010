import { Type, type Static } from 'typebox';
import type { OpportunityView } from '../../core/opportunities/opportunities.types.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { CustomFieldNames, CustomFieldValues } from './customers.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const DictRef = (description: string) => Type.Optional(Nullable(Id(description)));

const Status = Type.Union([Type.Literal('open'), Type.Literal('won'), Type.Literal('lost')], {
  description: 'open (跟进中), won (赢单) or lost (输单)',
});

const Amount = Type.String({
  pattern: '^(0|[1-9][0-9]{0,15})(\\.[0-9]{1,2})?$',
  description: 'Expected amount (预计金额) as a decimal string ≥ 0, at most 2 decimals; exact, never a float',
  examples: ['12800.50'],
});

const CloseDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Expected close date (预计成交日期), YYYY-MM-DD', examples: ['2026-06-30'] });

const opportunityFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Opportunity name (商机名称)' }),
  customerId: Id('The customer it belongs to; changing it moves the opportunity to another customer'),
  typeId: DictRef('opportunity_type item (商机类型)'),
  sourceId: DictRef('customer_source item (商机来源)'),
  stageId: DictRef('opportunity_stage item (商机阶段)'),
  amount: Type.Optional(Nullable(Amount)),
  expectedCloseDate: Type.Optional(Nullable(CloseDate)),
  ownerId: Type.Optional(Nullable(Id('Owner (负责人); default on create: the caller'))),
  status: Type.Optional(Status),
  loseReasonId: DictRef('lose_reason item (输单原因); only with status lost. Leaving lost clears it'),
  loseRemark: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Lose remark (输单备注); only with status lost. Leaving lost clears it' }))),
  customFields: Type.Optional(CustomFieldValues),
};

export const CreateOpportunityBody = Type.Object(opportunityFields, { additionalProperties: false });
const { customerId: _customerId, ...nestedFields } = opportunityFields;
/** Under /customers/{id}: the customer comes from the path. */
export const CreateCustomerOpportunityBody = Type.Object(nestedFields, { additionalProperties: false });
export const UpdateOpportunityBody = Type.Object(
  { ...opportunityFields, name: Type.Optional(opportunityFields.name), customerId: Type.Optional(opportunityFields.customerId) },
  { additionalProperties: false, minProperties: 1 },
);

export const OpportunitySchema = Type.Object(
  {
    id: Id(),
    name: Type.String(),
    customerId: Id(),
    customerName: Type.String({ description: 'Name of the customer (客户名称)' }),
    typeId: Nullable(Id()),
    sourceId: Nullable(Id()),
    stageId: Nullable(Id()),
    amount: Nullable(Type.String({ description: 'Decimal string with 2 decimals, e.g. "12800.50"' })),
    expectedCloseDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
    ownerId: Nullable(Id()),
    status: Status,
    loseReasonId: Nullable(Id()),
    loseRemark: Nullable(Type.String()),
    lastContactAt: Nullable(Timestamp('Latest follow-up on this opportunity (最后联系时间); kept by follow-ups')),
    lastContactUserId: Nullable(Id('Who wrote that follow-up (最后联系人)')),
    customFields: Type.Record(Type.String(), Type.Unknown(), { description: 'Custom field values by key' }),
    customFieldNames: CustomFieldNames,
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'An opportunity (商机) of a customer' },
);

export const OpportunityListQuery = Type.Object(
  {
    ...PageQuery,
    customerId: Type.Optional(Id()),
    ownerId: Type.Optional(Id()),
    typeId: Type.Optional(Id()),
    stageId: Type.Optional(Id()),
    status: Type.Optional(Status),
    withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
  },
  { additionalProperties: false },
);

export const CustomerOpportunityListQuery = Type.Object(
  {
    ...PageQuery,
    ownerId: Type.Optional(Id()),
    typeId: Type.Optional(Id()),
    stageId: Type.Optional(Id()),
    status: Type.Optional(Status),
    withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
  },
  { additionalProperties: false },
);

export function renderOpportunity(ctx: Zoned, o: OpportunityView): Static<typeof OpportunitySchema> {
  return {
    id: o.id,
    name: o.name,
    customerId: o.customer_id,
    customerName: o.customer_name,
    typeId: o.type_id,
    sourceId: o.source_id,
    stageId: o.stage_id,
    amount: o.amount,
    expectedCloseDate: o.expected_close_date,
    ownerId: o.owner_id,
    status: o.status,
    loseReasonId: o.lose_reason_id,
    loseRemark: o.lose_remark,
    lastContactAt: maybeTime(ctx, o.last_contact_at),
    lastContactUserId: o.last_contact_user_id,
    customFields: o.custom_fields as Record<string, unknown>,
    customFieldNames: o.custom_field_names,
    createdBy: o.created_by,
    updatedBy: o.updated_by,
    version: o.version,
    createdAt: time(ctx, o.created_at),
    updatedAt: time(ctx, o.updated_at),
  };
}
