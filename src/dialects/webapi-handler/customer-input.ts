import type { CustomerInput } from '../../core/customers/customers.service.ts';
import type { Customer } from '../../db/schema.ts';
import type { DictionaryCodes } from './codes.ts';
import type { FieldNames } from './errors.ts';
import type { JsonFields } from './json-object.ts';

/** Core field names of a customer write → `param.Property`. */
export function customerFieldNames(param: string): FieldNames {
  const pairs: [string, string][] = [
    ['id', 'ID'], ['name', 'Name'], ['kindId', 'CustKind'], ['typeId', 'TypeID'], ['sourceId', 'SourceID'], ['gradeId', 'GradeID'],
    ['lifecycleId', 'LifeCycleID'], ['category', 'Category'], ['phones', 'Phones'], ['email', 'Email'], ['address', 'Address'],
    ['regionCode', 'RegionCode'], ['regionName', 'RegionName'], ['note', 'Remark'], ['ownerId', 'OwnerID'],
    ['serviceOwnerId', 'ServiceOwnerID'], ['isLocked', 'IsLocked'], ['isWon', 'IsWon'], ['isLead', 'IsLead'],
  ];
  return Object.fromEntries(pairs.map(([core, wire]) => [core, `${param}.${wire}`]));
}

const DICTIONARY_PROPERTIES = [
  ['CustKind', 'kindId', 'customer_kind'],
  ['TypeID', 'typeId', 'customer_type'],
  ['SourceID', 'sourceId', 'customer_source'],
  ['GradeID', 'gradeId', 'customer_grade'],
  ['LifeCycleID', 'lifecycleId', 'lifecycle_stage'],
] as const;

const TEXT_PROPERTIES = [
  ['Category', 'category', 100],
  ['Email', 'email', 200],
  ['Address', 'address', 500],
  ['RegionCode', 'regionCode', 50],
  ['RegionName', 'regionName', 200],
  ['Remark', 'note', 5000],
] as const;

/**
 * A Customer object as a core write: absent properties stay unchanged, null (or "", or 0 for a
 * reference) clears. `Tel` is the main phone, `Phones` (comma-separated) the others.
 */
export async function customerInput(f: JsonFields, codes: DictionaryCodes, current: Customer | null): Promise<CustomerInput> {
  const input: CustomerInput = {};
  const name = f.string('Name', 200);
  if (name !== undefined) input.name = name ?? '';
  for (const [property, key, dictionary] of DICTIONARY_PROPERTIES) {
    const code = f.ref(property);
    if (code !== undefined) input[key] = await codes.optionalIdOf(dictionary, code, `${f.param}.${property}`);
  }
  for (const [property, key, max] of TEXT_PROPERTIES) {
    const value = f.string(property, max);
    if (value !== undefined) input[key] = value;
  }
  if (f.has('Tel') || f.has('Phones')) {
    const tel = f.string('Tel', 50);
    const main = tel === undefined ? (current?.phone ?? null) : tel;
    const listed = f.string('Phones', 1000);
    const others = listed === undefined ? (current?.phones.slice(1) ?? []) : (listed ?? '').split(/[,，;；]/).map((s) => s.trim()).filter(Boolean);
    input.phones = [...(main ? [main] : []), ...others];
  }
  const owner = f.ref('OwnerID');
  if (owner !== undefined) input.ownerId = owner;
  const serviceOwner = f.ref('ServiceOwnerID');
  if (serviceOwner !== undefined) input.serviceOwnerId = serviceOwner;
  const locked = f.flag('IsLocked');
  if (locked !== undefined) input.isLocked = locked;
  const won = f.flag('IsWon');
  if (won !== undefined) input.isWon = won;
  const lead = f.flag('IsLead');
  if (lead !== undefined) input.isLead = lead;
  return input;
}
