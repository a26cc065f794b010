import type { ContactInput, ContactView } from '../../../core/contacts/contacts.service.ts';
import type { Services } from '../../../core/services.ts';
import type { RequestContext } from '../../../core/shared/context.ts';
import type { Id } from '../../../db/schema.ts';
import { invalidParameter, missingParameter, WebApiError } from '../errors.ts';
import { handler } from '../handler.ts';
import { JsonFields } from '../json-object.ts';
import { customerLinkMan, GENDERS_BY_CODE, LINK_MAN_FIELDS, linkMan } from '../render.ts';

/** Core field names of a contact write → `man.Property`. */
const MAN_FIELDS = Object.fromEntries(
  [
    ['id', 'ID'], ['customerId', 'CustID'], ['name', 'Name'], ['gender', 'Sex'], ['position', 'Position'], ['department', 'Department'],
    ['mobile', 'Mobile'], ['phone', 'Tel'], ['email', 'Email'], ['wechat', 'WeChat'], ['birthday', 'Birthday'], ['address', 'Address'],
    ['note', 'Remark'], ['isMain', 'IsMain'],
  ].map(([core, wire]) => [core!, `man.${wire}`]),
);

const TEXT_PROPERTIES = [
  ['Position', 'position', 100], ['Department', 'department', 100], ['Mobile', 'mobile', 50], ['Tel', 'phone', 50],
  ['Email', 'email', 200], ['WeChat', 'wechat', 100], ['Address', 'address', 500], ['Remark', 'note', 5000],
] as const;

/** A CustomerLinkMan object as a core write: absent unchanged, null clears. */
function contactInput(f: JsonFields): ContactInput {
  const input: ContactInput = {};
  const name = f.string('Name', 100);
  if (name !== undefined) input.name = name ?? '';
  const sex = f.int32('Sex');
  if (sex !== undefined) {
    const gender = GENDERS_BY_CODE[sex ?? 0];
    if (!gender) throw invalidParameter('man.Sex', '必须是 0 (未知)、1 (男) 或 2 (女)');
    input.gender = gender;
  }
  for (const [property, key, max] of TEXT_PROPERTIES) {
    const value = f.string(property, max);
    if (value !== undefined) input[key] = value;
  }
  const birthday = f.date('Birthday');
  if (birthday !== undefined) input.birthday = birthday;
  const main = f.flag('IsMain');
  if (main !== undefined) input.isMain = main;
  return input;
}

/** Every live contact of a visible customer, main contact first. */
async function contactsOf(services: Services, ctx: RequestContext, customerId: Id): Promise<ContactView[]> {
  const all: ContactView[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.contacts.list(ctx, { customerId, cursor, limit: 500 });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export const linkManHandlers = [
  handler({
    module: 'LinkMan',
    action: 'GetList',
    xmlItem: 'LinkMan',
    async run({ p, ctx, services }) {
      return (await contactsOf(services, ctx, p.id('custId', '客户'))).map(linkMan);
    },
  }),
  handler({
    module: 'LinkMan',
    action: 'GetLinkManList',
    xmlItem: 'CustomerLinkMan',
    async run({ p, ctx, services }) {
      return (await contactsOf(services, ctx, p.id('cust_id', '客户'))).map((row) => customerLinkMan(row, ctx.tenant.timezone));
    },
  }),
  handler({
    module: 'LinkMan',
    action: 'GetLinkMan',
    async run({ p, ctx, services }) {
      return customerLinkMan(await services.contacts.get(ctx, p.id('id', '联系人')), ctx.tenant.timezone);
    },
  }),
  handler({
    module: 'LinkMan',
    action: 'InsertLinkMan',
    refusal: false,
    fields: MAN_FIELDS,
    // `tran` is accepted and ignored. CustID and Name are required; an ID, if sent, is ignored (Genjin assigns it).
    async run({ p, ctx, services }) {
      const f = new JsonFields('man', p.jsonObject('man'), LINK_MAN_FIELDS, ctx.tenant.timezone);
      const customerId = f.int32('CustID');
      if (!customerId) throw missingParameter('man.CustID');
      if (customerId < 0) throw new WebApiError('not_found', `记录不存在: 客户 ${customerId}`, 'man.CustID');
      const input = contactInput(f);
      if (!input.name) throw missingParameter('man.Name');
      await services.contacts.create(ctx, String(customerId), { ...input, name: input.name });
      return true;
    },
  }),
  handler({
    module: 'LinkMan',
    action: 'SaveLinkMan',
    refusal: 0,
    fields: MAN_FIELDS,
    // Updates the contact man.ID; answers the number of contacts changed (1). `tran` is ignored; CustID cannot move a contact.
    async run({ p, ctx, services }) {
      const f = new JsonFields('man', p.jsonObject('man'), LINK_MAN_FIELDS, ctx.tenant.timezone);
      const id = f.int32('ID');
      if (!id) throw missingParameter('man.ID');
      if (id < 0) throw new WebApiError('not_found', `记录不存在: 联系人 ${id}`, 'man.ID');
      const current = await services.contacts.get(ctx, String(id));
      const customerId = f.int32('CustID');
      if (customerId && String(customerId) !== current.customer_id) throw invalidParameter('man.CustID', '联系人不能移到其他客户');
      await services.contacts.update(ctx, current.id, contactInput(f));
      return 1;
    },
  }),
  handler({
    module: 'LinkMan',
    action: 'DeleteLinkMan',
    refusal: 0,
    async run({ p, ctx, services }) {
      await services.contacts.delete(ctx, p.id('id', '联系人'));
      return 1;
    },
  }),
  handler({
    module: 'LinkMan',
    action: 'CancelMainMan',
    refusal: 0,
    // 1 when the contact was the main one and no longer is; 0 when it was not the main contact.
    async run({ p, ctx, services }) {
      const contact = await services.contacts.get(ctx, p.id('id', '联系人'));
      if (!contact.is_main) return 0;
      await services.contacts.update(ctx, contact.id, { isMain: false });
      return 1;
    },
  }),
];
