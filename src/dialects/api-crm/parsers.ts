import { DomainError } from '../../core/shared/errors.ts';
import { isNil, parseXml, type XmlElement, XmlRefused } from '../shared/xml.ts';
import { ATTACHMENT_FIELDS, RECORD_FIELDS } from './schemas.ts';

/**
 * The three body formats of seed 000, each turned into the same plain object (schemas.ts
 * `FollowUpRecordBody`): JSON as Json.NET reads it, XML as DataContractSerializer writes it,
 * forms with ASP.NET model-binding names. Problems are `invalid` domain errors with the Msg text.
 */

export const DTO_NAMESPACE = 'http://schemas.datacontract.org/2004/07/CMS.Domain.Dto';

const MAX_FORM_INDEX = 49;

const malformed = (code: string, message: string) => new DomainError('invalid', code, message, { fields: [{ field: 'body', message }] });

type Loose = Record<string, unknown>;

/** Picks the seed's fields out of an object whose keys match them case-insensitively. */
function pick(source: Loose, names: readonly string[]): Loose {
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  const out: Loose = {};
  for (const [key, value] of Object.entries(source)) {
    const name = byLower.get(key.toLowerCase());
    if (name !== undefined) out[name] = value;
  }
  return out;
}

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Rewrites every number literal outside strings as a string of the same digits, so that JSON.parse
 * never rounds an int64 (Node 20's JSON.parse has no access to a number's source text).
 */
export function quoteJsonNumbers(text: string): string {
  let out = '';
  let from = 0;
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      number.lastIndex = i;
      const match = number.exec(text);
      if (!match) continue;
      out += `${text.slice(from, i)}"${match[0]}"`;
      i += match[0].length - 1;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

export function parseJsonBody(text: string): Loose {
  if (!text.trim()) throw malformed('empty_body', '请求体为空');
  let value: unknown;
  try {
    JSON.parse(text);
    value = JSON.parse(quoteJsonNumbers(text));
  } catch (error) {
    throw malformed('malformed_json', `请求体不是合法的 JSON：${(error as Error).message}`);
  }
  if (!isObject(value)) throw malformed('malformed_json', '请求体必须是 JSON 对象 FollowUpRecordDto');
  const record = pick(value, RECORD_FIELDS);
  if (Array.isArray(record.File)) record.File = record.File.map((item) => (isObject(item) ? pick(item, ATTACHMENT_FIELDS) : item));
  return record;
}

/** A scalar element's value: null for xsi:nil, an object (refused by the schema) when it has children. */
function scalar(element: XmlElement): unknown {
  if (isNil(element)) return null;
  return element.children.length ? {} : element.text;
}

/** Children in the DTO's namespace, by exact name (DataContract is case-sensitive); the last of a name wins. */
function members(element: XmlElement, namespace: string | null, names: readonly string[]): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const child of element.children) if (child.namespace === namespace && names.includes(child.name)) out.set(child.name, child);
  return out;
}

export function parseXmlBody(text: string, maxLength: number): Loose {
  if (!text.trim()) throw malformed('empty_body', '请求体为空');
  let root: XmlElement;
  try {
    root = parseXml(text, { maxLength });
  } catch (error) {
    if (!(error instanceof XmlRefused)) throw error;
    const why = error.problem === 'dtd' || error.problem === 'entity' ? `不接受 DTD 和实体声明（${error.message}）` : error.message;
    throw malformed(error.problem === 'dtd' || error.problem === 'entity' ? 'xml_dtd_refused' : 'malformed_xml', `请求体不是可接受的 XML：${why}`);
  }
  if (root.name !== 'FollowUpRecordDto' || (root.namespace !== null && root.namespace !== DTO_NAMESPACE)) {
    throw malformed('malformed_xml', `请求体的根元素必须是命名空间 ${DTO_NAMESPACE} 中的 FollowUpRecordDto`);
  }
  const record: Loose = {};
  for (const [name, element] of members(root, root.namespace, RECORD_FIELDS)) {
    if (name !== 'File') {
      record[name] = scalar(element);
      continue;
    }
    if (isNil(element)) {
      record.File = null;
      continue;
    }
    record.File = element.children.map((item, i) => {
      if (item.name !== 'AttachmentInfo') throw malformed('malformed_xml', `File[${i}]：File 的子元素必须是 AttachmentInfo，而不是 ${item.name}`);
      if (isNil(item)) return null;
      const attachment: Loose = {};
      for (const [field, value] of members(item, root.namespace, ATTACHMENT_FIELDS)) attachment[field] = scalar(value);
      return attachment;
    });
  }
  return record;
}

/**
 * ASP.NET model binding: `CustomerId=1&File[0].AttachName=a.jpg` (or `File[0][AttachName]`, as
 * jQuery writes it), names case-insensitive. `File=` alone (empty) is an empty list.
 */
export function parseFormBody(text: string): Loose {
  const record: Loose = {};
  const files = new Map<number, Loose>();
  for (const [key, value] of new URLSearchParams(text)) {
    const item = /^file\[(\d{1,9})\](?:\.([a-z]+)|\[([a-z]+)\])$/i.exec(key);
    if (item) {
      const index = Number(item[1]);
      if (index > MAX_FORM_INDEX) throw malformed('malformed_form', `File[${index}]：File 最多 ${MAX_FORM_INDEX + 1} 项`);
      const [field] = Object.keys(pick({ [item[2] ?? item[3]!]: true }, ATTACHMENT_FIELDS));
      if (field === undefined) continue;
      const entry = files.get(index) ?? {};
      entry[field] = value;
      files.set(index, entry);
      continue;
    }
    Object.assign(record, pick({ [key]: value }, RECORD_FIELDS));
  }
  if (typeof record.File === 'string') {
    if (record.File.trim() !== '') throw malformed('malformed_form', 'File：表单中 File 写作 File[0].AttachUrl=… 这样的字段');
    record.File = [];
  }
  // Indices order the items; gaps close up.
  if (files.size) record.File = [...files.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
  return record;
}
