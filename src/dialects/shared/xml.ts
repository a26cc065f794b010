import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Safe XML for the dialects that take or give XML (seed 000's DataContract bodies, seed 004's
 * `format=xml`). Parsing is deliberately small: no DTD of any kind (so no entity expansion, no
 * external entities, no billion laughs), only the five predefined entities and character
 * references, a bounded size and depth, and namespaces resolved to URIs.
 */

/** Why a document was refused; `message` is English, for logs and for dialects to translate. */
export type XmlProblem = 'too_large' | 'dtd' | 'too_deep' | 'malformed' | 'entity';

export class XmlRefused extends Error {
  override readonly name = 'XmlRefused';
  constructor(
    readonly problem: XmlProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface XmlLimits {
  /** Largest document in UTF-16 code units (≈ bytes for XML markup). Default 1 MiB. */
  maxLength?: number;
  /** Deepest element nesting, the root being 1. Default 32, at most 256. */
  maxDepth?: number;
}

/** An element with its namespace resolved; `text` joins its text and CDATA, entities decoded. */
export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Namespace URI, or null when the element is in no namespace. */
  namespace: string | null;
  /** Attributes by their qualified name as written (`i:nil`), values decoded; xmlns declarations left out. */
  attributes: Record<string, string>;
  /** Attributes by `{namespace}local` (`{http://www.w3.org/2001/XMLSchema-instance}nil`). */
  qualifiedAttributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

const DEFAULT_MAX_LENGTH = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 32;

/**
 * Refuses any markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`, …) before a
 * parser sees the text. Comments and CDATA sections are skipped, so a `<!` inside them is text.
 */
export function refuseDeclarations(text: string): void {
  let at = text.indexOf('<!');
  while (at !== -1) {
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end === -1) throw new XmlRefused('malformed', 'Unterminated comment');
      at = text.indexOf('<!', end + 3);
    } else if (text.startsWith('<![CDATA[', at)) {
      const end = text.indexOf(']]>', at + 9);
      if (end === -1) throw new XmlRefused('malformed', 'Unterminated CDATA section');
      at = text.indexOf('<!', end + 3);
    } else {
      throw new XmlRefused('dtd', 'Document type and entity declarations are not accepted');
    }
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; any other entity is refused. */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,32});/g, (_all, name: string) => {
    if (name in PREDEFINED) return PREDEFINED[name]!;
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(name)?.[1] ?? /^#(\d{1,7})$/.exec(name)?.[1];
    if (code !== undefined) {
      const point = name.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
      if (point === 0x9 || point === 0xa || point === 0xd || (point >= 0x20 && point <= 0xd7ff) || (point >= 0xe000 && point <= 0xfffd) || (point >= 0x10000 && point <= 0x10ffff)) {
        return String.fromCodePoint(point);
      }
      throw new XmlRefused('entity', `&${name}; is not a valid XML character`);
    }
    throw new XmlRefused('entity', `Entity &${name}; is not defined (entity declarations are not accepted)`);
  });
}

/**
 * Escapes text for element content or a double-quoted attribute value. Characters XML 1.0 cannot
 * carry at all (most C0 controls, U+FFFE/U+FFFF) are dropped, so the output always parses.
 */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[<>&"]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '&quot;'));
}

// The library only tokenises: entities stay as written (decoded above, after the DTD check) and
// values stay text, so nothing is guessed into a number.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // A hard stop for the tree builder; parseXml's own maxDepth (at most this) names the limit.
  maxNestedTags: 256,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/**
 * Parses a whole document into its root element: refuses declarations first, then checks
 * well-formedness, size and depth, and resolves namespaces. Throws XmlRefused.
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  if (text.length > maxLength) throw new XmlRefused('too_large', `The document is longer than ${maxLength} characters`);
  refuseDeclarations(text);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlRefused('malformed', `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (error) {
    const message = (error as Error).message;
    if (/nested tags/i.test(message)) throw new XmlRefused('too_deep', `Elements are nested deeper than ${limits.maxDepth ?? DEFAULT_MAX_DEPTH} levels`);
    throw new XmlRefused('malformed', message);
  }
  const roots = nodes.filter((n) => elementName(n) !== null);
  if (roots.length !== 1) throw new XmlRefused('malformed', 'A document has exactly one root element');
  return toElement(roots[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 1, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
}

function elementName(node: OrderedNode): string | null {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#cdata') ?? null;
}

function split(qname: string): [prefix: string | null, local: string] {
  const colon = qname.indexOf(':');
  return colon === -1 ? [null, qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function toElement(node: OrderedNode, inScope: Map<string | null, string>, depth: number, maxDepth: number): XmlElement {
  if (depth > maxDepth) throw new XmlRefused('too_deep', `Elements are nested deeper than ${maxDepth} levels`);
  const qname = elementName(node)!;
  const raw = node[':@'] ?? {};
  const scope = new Map(inScope);
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns') scope.set(null, decodeXmlText(value));
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), decodeXmlText(value));
  }
  const resolve = (prefix: string | null, what: string) => {
    const uri = scope.get(prefix);
    if (prefix !== null && uri === undefined) throw new XmlRefused('malformed', `Namespace prefix "${prefix}" of ${what} is not declared`);
    return uri || null;
  };
  const [prefix, name] = split(qname);
  const attributes: Record<string, string> = {};
  const qualifiedAttributes: Record<string, string> = {};
  for (const [attr, value] of Object.entries(raw)) {
    if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
    const decoded = decodeXmlText(value);
    const [attrPrefix, local] = split(attr);
    attributes[attr] = decoded;
    // Unprefixed attributes are in no namespace (Namespaces in XML, 6.2).
    const uri = attrPrefix === null ? null : resolve(attrPrefix, `attribute ${attr}`);
    qualifiedAttributes[uri ? `{${uri}}${local}` : local] = decoded;
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] as OrderedNode[] | undefined) ?? []) {
    if (typeof child['#text'] === 'string') text += decodeXmlText(child['#text']);
    else if (Array.isArray(child['#cdata'])) text += (child['#cdata'] as { '#text'?: string }[]).map((c) => c['#text'] ?? '').join('');
    else if (elementName(child) !== null) children.push(toElement(child, scope, depth + 1, maxDepth));
  }
  return { name, namespace: resolve(prefix, `element ${qname}`), attributes, qualifiedAttributes, children, text };
}

/** True when the element carries `xsi:nil="true"`, DataContract's way of writing null. */
export function isNil(element: XmlElement): boolean {
  const value = element.qualifiedAttributes[`{${XSI_NAMESPACE}}nil`];
  return value !== undefined && value.trim() === 'true';
}
