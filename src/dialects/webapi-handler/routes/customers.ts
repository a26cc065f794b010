import type { Services } from '../../../core/services.ts';
import type { RequestContext } from '../../../core/shared/context.ts';
import { DictionaryCodes } from '../codes.ts';
import { customerFieldNames, customerInput } from '../customer-input.ts';
import { invalidParameter, missingParameter, WebApiError } from '../errors.ts';
import { handler } from '../handler.ts';
import { JsonFields } from '../json-object.ts';
import type { Params } from '../params.ts';
import { customer, CUSTOMER_FIELDS } from '../render.ts';

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

/** Save (`json`) and Update (`customer`): ID > 0 updates that customer; Save without one creates. */
async function saveCustomer(p: Params, ctx: RequestContext, services: Services, param: string, create: boolean): Promise<boolean> {
  const f = new JsonFields(param, p.jsonObject(param), CUSTOMER_FIELDS, ctx.tenant.timezone);
  const id = f.int32('ID');
  const codes = new DictionaryCodes(services, ctx);
  if (id) {
    if (id < 0) throw new WebApiError('not_found', `记录不存在: 客户 ${id}`, `${param}.ID`);
    const current = await services.customers.get(ctx, String(id));
    await services.customers.update(ctx, current.id, await customerInput(f, codes, current));
    return true;
  }
  if (!create) throw missingParameter(`${param}.ID`);
  const input = await customerInput(f, codes, null);
  if (!input.name) throw missingParameter(`${param}.Name`);
  await services.customers.create(ctx, { ...input, name: input.name });
  return true;
}

/** The customer id to leave out of a duplicate check; 0 (a customer not yet saved) leaves none out. */
const excluded = (p: Params) => {
  const id = p.int32('id', { min: 0 });
  return id ? String(id) : undefined;
};

export const customerHandlers = [
  handler({
    module: 'Customer',
    action: 'GetAllList',
    xmlItem: 'Customer',
    // pageIndex counts from 1; newest customer (highest id) first, within the caller's data scope.
    async run({ p, ctx, services }) {
      const pageIndex = p.int32('pageIndex', { min: 1 });
      const pageSize = p.optionalInt32('pageSize', { min: 1, max: MAX_PAGE_SIZE }) ?? DEFAULT_PAGE_SIZE;
      const rows = await services.customers.listByOffset(ctx, { offset: (pageIndex - 1) * pageSize, limit: pageSize });
      const codes = new DictionaryCodes(services, ctx);
      return Promise.all(rows.map((row) => customer(row, codes, ctx.tenant.timezone)));
    },
  }),
  handler({
    module: 'Customer',
    action: 'Get',
    async run({ p, ctx, services }) {
      const row = await services.customers.get(ctx, p.id('id', '客户'));
      return customer(row, new DictionaryCodes(services, ctx), ctx.tenant.timezone);
    },
  }),
  handler({
    module: 'Customer',
    action: 'Save',
    refusal: false,
    fields: customerFieldNames('json'),
    run: ({ p, ctx, services }) => saveCustomer(p, ctx, services, 'json', true),
  }),
  handler({
    module: 'Customer',
    action: 'Update',
    refusal: false,
    fields: customerFieldNames('customer'),
    // `tran` (a server-side transaction object in the original) cannot cross HTTP: accepted and ignored.
    run: ({ p, ctx, services }) => saveCustomer(p, ctx, services, 'customer', false),
  }),
  handler({
    module: 'Customer',
    action: 'NameIsRepeat',
    fields: { name: 'sName', excludeId: 'id' },
    // true: another live customer of the tenant (whoever owns it) has this name, case-insensitively.
    async run({ p, ctx, services }) {
      const name = p.string('sName', { max: 200 }).trim();
      if (!name) throw missingParameter('sName');
      return (await services.customers.duplicates(ctx, { name, excludeId: excluded(p) })).length > 0;
    },
  }),
  handler({
    module: 'Customer',
    action: 'TelIsRepeat',
    fields: { phone: 'tel', name: 'tel', excludeId: 'id' },
    // true: another live customer of the tenant has this number among its phones (compared as digits).
    async run({ p, ctx, services }) {
      const tel = p.string('tel', { max: 50 });
      const digits = tel.replace(/\D/g, '');
      if (digits.length < 3 || digits.length > 20) throw invalidParameter('tel', '必须是 3 到 20 位数字的电话号码');
      return (await services.customers.duplicates(ctx, { phone: tel, excludeId: excluded(p) })).length > 0;
    },
  }),
  handler({
    module: 'Customer',
    action: 'CancelShare',
    refusal: false,
    fields: { id: 'strIds' },
    // Takes each customer back from everyone it was shared with. Every id is checked before the first is changed.
    async run({ p, ctx, services }) {
      const ids = p.idList('strIds');
      for (const id of ids) await services.customers.get(ctx, id);
      for (const id of ids) await services.shares.unshare(ctx, id);
      return true;
    },
  }),
  handler({
    module: 'Customer',
    action: 'RemoveCollection',
    refusal: false,
    fields: { id: 'custIdString', customerIds: 'custIdString' },
    // Favourites are personal: userId must be the caller's own id.
    async run({ p, ctx, services }) {
      const userId = p.int32('userId');
      const ids = p.idList('custIdString');
      if (!ctx.user || String(userId) !== ctx.user.id) throw new WebApiError('forbidden', '没有权限: userId 必须是当前用户自己的 id', 'userId');
      await services.favourites.remove(ctx, ids);
      return true;
    },
  }),
  handler({
    module: 'Customer',
    action: 'SetCustIdentity',
    refusal: false,
    fields: { id: 'custId', markerId: 'identityId' },
    // Marks the customer as the caller's favourite with the favourite_marker item of code identityId (0: no marker).
    async run({ p, ctx, services }) {
      const code = p.int32('identityId', { min: 0 });
      const customerId = p.id('custId', '客户');
      const markerId = code === 0 ? null : await new DictionaryCodes(services, ctx).idOf('favourite_marker', code, 'identityId');
      await services.favourites.set(ctx, customerId, { markerId });
      return true;
    },
  }),
];
