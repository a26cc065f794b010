import type { DictionaryName } from '../../core/dictionaries/catalog.ts';
import type { Services } from '../../core/services.ts';
import type { RequestContext } from '../../core/shared/context.ts';
import type { DictionaryItem, Id } from '../../db/schema.ts';
import { invalidParameter } from './errors.ts';

/**
 * Dictionary items on this wire are named by their stable `code` (an Int32), never by Genjin's
 * item id: the seed's type_id 1–7, route_id 1–4 and customer kinds 1/2 are codes, and so are
 * every other dictionary reference and the ID of BaseType / CustomerType / CustKind items.
 * One request loads each dictionary it touches once; `preload` fetches several in one statement.
 */
export class DictionaryCodes {
  private readonly loaded = new Map<DictionaryName, Promise<DictionaryItem[]>>();

  constructor(
    private readonly services: Services,
    private readonly ctx: RequestContext,
  ) {}

  items(dictionary: DictionaryName): Promise<DictionaryItem[]> {
    let items = this.loaded.get(dictionary);
    if (!items) {
      items = this.services.dictionaries.listItems(this.ctx, dictionary, { includeInactive: true });
      this.loaded.set(dictionary, items);
    }
    return items;
  }

  /** Loads, in one statement, the dictionaries not loaded yet: a customer shows six of them. */
  async preload(dictionaries: readonly DictionaryName[]): Promise<void> {
    const missing = dictionaries.filter((name) => !this.loaded.has(name));
    if (!missing.length) return;
    const all = this.services.dictionaries.listItemsOf(this.ctx, missing, { includeInactive: true });
    for (const name of missing) this.loaded.set(name, all.then((byName) => byName.get(name)!));
    await all;
  }

  /** The item an id names, as code and name; code 0 and name null for none. */
  async ref(dictionary: DictionaryName, id: Id | null): Promise<{ code: number; name: string | null }> {
    if (!id) return { code: 0, name: null };
    const item = (await this.items(dictionary)).find((i) => i.id === id);
    return item ? { code: item.code, name: item.name } : { code: 0, name: null };
  }

  /** The item id of a code the caller sent in `field`; refused when the dictionary has no active item with it. */
  async idOf(dictionary: DictionaryName, code: number, field: string): Promise<Id> {
    const item = (await this.items(dictionary)).find((i) => i.code === code && i.is_active);
    if (!item) throw invalidParameter(field, `没有代码为 ${code} 的项 (${dictionary})`);
    return item.id;
  }

  /** idOf for an optional reference: null/undefined pass through. */
  async optionalIdOf(dictionary: DictionaryName, code: string | null | undefined, field: string): Promise<Id | null | undefined> {
    if (code === undefined || code === null) return code;
    return this.idOf(dictionary, Number(code), field);
  }
}
