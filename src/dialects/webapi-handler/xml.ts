import { escapeXml, XSI_NAMESPACE } from '../shared/xml.ts';

/**
 * The XML form of an answer (format=xml). The root is `<value>` (or `<error>`); an object's
 * properties become child elements in order; a list's items become elements named after the
 * item type (`<Customer>`); null is an empty element with xsi:nil="true", as .NET's
 * DataContractSerializer writes it.
 */
function element(name: string, value: unknown, itemName: string): string {
  if (value === null || value === undefined) return `<${name} xsi:nil="true"/>`;
  if (Array.isArray(value)) return `<${name}>${value.map((item) => element(itemName, item, itemName)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([key, v]) => element(key, v, key))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole document with the given root; `itemName` names the elements of a root list. */
export function toXml(root: string, value: unknown, itemName = 'item'): string {
  const body = element(root, value, itemName).replace(new RegExp(`^<${root}`), `<${root} xmlns:xsi="${XSI_NAMESPACE}"`);
  return `<?xml version="1.0" encoding="utf-8"?>\n${body}`;
}
