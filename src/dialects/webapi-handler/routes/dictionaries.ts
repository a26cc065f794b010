import { isDictionaryName } from '../../../core/dictionaries/catalog.ts';
import { DictionaryCodes } from '../codes.ts';
import { invalidParameter, WebApiError } from '../errors.ts';
import { handler } from '../handler.ts';
import { baseType, custKind, customerType } from '../render.ts';

/** BaseType, CustomerType and CustomerSign: dictionaries, read by code (see codes.ts). */
export const dictionaryHandlers = [
  handler({
    module: 'BaseType',
    action: 'GetBaseType',
    xmlItem: 'BaseType',
    // par_id names a dictionary (`contact_purpose`): its top-level items; or `<dictionary>:<code>`: that item's children.
    async run({ p, ctx, services }) {
      const parId = p.string('par_id', { max: 100 }).trim();
      const [name, codeText] = parId.split(':');
      if (!name || !isDictionaryName(name)) throw new WebApiError('not_found', `记录不存在: 没有字典 ${name}`, 'par_id');
      if (codeText !== undefined && !/^\d{1,9}$/.test(codeText)) throw invalidParameter('par_id', '应为 字典名 或 字典名:代码');
      const items = (await new DictionaryCodes(services, ctx).items(name)).filter((i) => i.is_active);
      let parentId: string | null = null;
      if (codeText !== undefined) {
        const parent = items.find((i) => i.code === Number(codeText));
        if (!parent) throw new WebApiError('not_found', `记录不存在: ${name} 没有代码 ${codeText}`, 'par_id');
        parentId = parent.id;
      }
      return items.filter((i) => i.parent_id === parentId).map((i) => baseType(i, parId));
    },
  }),
  handler({
    module: 'CustomerType',
    action: 'GetTypeList',
    xmlItem: 'CustomerType',
    // parent_id 0: top-level types; otherwise the code of a type: its children.
    async run({ p, ctx, services }) {
      const parentCode = p.int32('parent_id', { min: 0 });
      const items = (await new DictionaryCodes(services, ctx).items('customer_type')).filter((i) => i.is_active);
      let parentId: string | null = null;
      if (parentCode !== 0) {
        const parent = items.find((i) => i.code === parentCode);
        if (!parent) throw new WebApiError('not_found', `记录不存在: 客户类型 ${parentCode}`, 'parent_id');
        parentId = parent.id;
      }
      return items.filter((i) => i.parent_id === parentId).map((i) => customerType(i, parentCode));
    },
  }),
  handler({
    module: 'CustomerSign',
    action: 'GetClientSignDefault',
    // The code of the tenant's default customer kind (1 enterprise, 2 individual); 0 when none is marked default.
    async run({ ctx, services }) {
      const items = (await new DictionaryCodes(services, ctx).items('customer_kind')).filter((i) => i.is_active);
      return items.find((i) => i.is_default)?.code ?? 0;
    },
  }),
  handler({
    module: 'CustomerSign',
    action: 'GetCustTypeBdefault',
    xmlItem: 'CRM_Cust_T_CustKind',
    async run({ ctx, services }) {
      const items = (await new DictionaryCodes(services, ctx).items('customer_kind')).filter((i) => i.is_active);
      return items.map(custKind);
    },
  }),
];
