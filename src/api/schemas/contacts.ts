import { Type, type Static } from 'typebox';
import type { ContactView } from '../../core/contacts/contacts.service.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { CustomFieldNames, CustomFieldValues } from './customers.ts';
import { time, type Zoned } from './render.ts';

const Text = (description: string, maxLength = 100) => Type.Optional(Nullable(Type.String({ maxLength, description })));

const Gender = Type.Union([Type.Literal('male'), Type.Literal('female'), Type.Literal('unknown')], { description: 'Gender (性别)' });

const contactFields = {
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Name (姓名)' }),
  gender: Type.Optional(Gender),
  position: Text('Position (职务)'),
  department: Text('Department at the customer (部门)'),
  mobile: Text('Mobile phone (手机)', 40),
  phone: Text('Office phone (电话)', 40),
  email: Text('Email', 200),
  wechat: Text('WeChat id (微信)'),
  birthday: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Birthday, YYYY-MM-DD' }))),
  address: Text('Address', 500),
  note: Text('Note', 5000),
  isMain: Type.Optional(Type.Boolean({ description: "Main contact (主要联系人); setting it takes the flag from the customer's other contacts" })),
  customFields: Type.Optional(CustomFieldValues),
};

export const CreateContactBody = Type.Object(
  { ...contactFields, customerId: Id('The customer the contact belongs to') },
  { additionalProperties: false },
);
export const CreateCustomerContactBody = Type.Object(contactFields, { additionalProperties: false });
export const UpdateContactBody = Type.Object(
  { ...contactFields, name: Type.Optional(contactFields.name) },
  { additionalProperties: false, minProperties: 1 },
);

export const ContactSchema = Type.Object(
  {
    id: Id(),
    customerId: Id('The customer'),
    name: Type.String(),
    gender: Gender,
    position: Nullable(Type.String()),
    department: Nullable(Type.String()),
    mobile: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
    wechat: Nullable(Type.String()),
    birthday: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
    address: Nullable(Type.String()),
    note: Nullable(Type.String()),
    isMain: Type.Boolean({ description: 'Main contact of the customer; at most one is' }),
    customFields: Type.Record(Type.String(), Type.Unknown()),
    customFieldNames: CustomFieldNames,
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer({ description: 'Increases on every change; also the ETag' }),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A contact person (联系人) at a customer' },
);

const listFilters = {
  ...PageQuery,
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Name fragment, or digits of a mobile or phone number' })),
  withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
};

export const ContactListQuery = Type.Object(
  { ...listFilters, customerId: Type.Optional(Id('Only contacts of this customer (main contact first)')) },
  { additionalProperties: false },
);
export const CustomerContactListQuery = Type.Object(listFilters, { additionalProperties: false });

export function renderContact(ctx: Zoned, c: ContactView): Static<typeof ContactSchema> {
  return {
    id: c.id,
    customerId: c.customer_id,
    name: c.name,
    gender: c.gender,
    position: c.position,
    department: c.department,
    mobile: c.mobile,
    phone: c.phone,
    email: c.email,
    wechat: c.wechat,
    birthday: c.birthday,
    address: c.address,
    note: c.note,
    isMain: c.is_main,
    customFields: c.custom_fields as Record<string, unknown>,
    customFieldNames: c.custom_field_names,
    createdBy: c.created_by,
    updatedBy: c.updated_by,
    version: c.version,
    createdAt: time(ctx, c.created_at),
    updatedAt: time(ctx, c.updated_at),
  };
}
