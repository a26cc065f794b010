import { type Static, Type } from 'typebox';

/**
 * An int64 id as the seed sends it: a string of digits, or a JSON number. Numbers beyond 2^53
 * arrive as strings already (the plugin's JSON parser, ../shared/json.ts, keeps their digits), so a number here is a safe integer.
 */
const WireId = (description: string) =>
  Type.Union([Type.String({ pattern: '^[0-9]{1,19}$' }), Type.Integer({ minimum: 0 })], { description });

/** An optional reference: empty string or null means "none" (a browser form's empty picker). */
const OptionalRef = (description: string) => Type.Optional(Type.Union([WireId(description), Type.Literal(''), Type.Null()], { description }));

/** Custom field keys: `<kind>_<digits>` such as `select_1680162080347`. */
export const CUSTOM_FIELD_KEY = '^[a-z]+_[0-9]+$';

const fields = {
  mid: WireId('Module id: 347772778973233152 (the seed\'s customer module) or 1 (Genjin\'s own customer module id)'),
  name: Type.Optional(Type.String({ description: '客户名称 (customer name); required on add' })),
  own_id: OptionalRef('所属人 (owner user id); absent: the calling user'),
  phone: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 0 }), Type.Null()], { description: '手机号 (main phone); empty clears' })),
  source: OptionalRef('来源 (customer_source dictionary item id); empty clears'),
  note: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: '备注 (note); empty clears' })),
};

const bodyOptions = {
  // Custom fields by key; the module's definitions decide what each may hold.
  patternProperties: { [CUSTOM_FIELD_KEY]: {} },
  additionalProperties: false,
};

export const AddBody = Type.Object(fields, { ...bodyOptions, description: 'POST /api/moduleData/add: a new customer' });

export const UpdateBody = Type.Object(
  { ...fields, id: WireId('客户 id (customer id)') },
  { ...bodyOptions, description: 'POST /api/moduleData/update: changes of one customer' },
);

export const ProductLineHeaders = Type.Object({
  'default-product-id': Type.Optional(Type.String({ description: 'Product line the request acts in; default: the tenant\'s default product line' })),
});

type WithCustomFields<T> = T & Record<string, unknown>;
export type AddBody = WithCustomFields<Static<typeof AddBody>>;
export type UpdateBody = WithCustomFields<Static<typeof UpdateBody>>;
