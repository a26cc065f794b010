/**
 * Plain text of a follow-up's HTML content: what searches match and what summaries show
 * (seed 003 returns both: `record_content` raw, `record_content_name` "without HTML tags").
 * Content is rich-text-editor output, not arbitrary documents, so a small converter does:
 * script/style/comments dropped, block ends and <br> become line breaks, other tags vanish,
 * entities are decoded, and runs of blanks collapse.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  shy: '',
  zwnj: '',
  zwj: '',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  times: '×',
  divide: '÷',
  plusmn: '±',
  deg: '°',
  micro: 'µ',
  para: '¶',
  sect: '§',
  cent: '¢',
  pound: '£',
  yen: '¥',
  euro: '€',
  permil: '‰',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  le: '≤',
  ge: '≥',
  ne: '≠',
  asymp: '≈',
  infin: '∞',
  sup2: '²',
  sup3: '³',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
};

/** The rest of a tag after its name: attributes, whose quoted values may hold a '>'. */
const ATTRIBUTES = `(?:[^>"']|"[^"]*"|'[^']*')*`;

/** Tags after which text continues on a new line. */
const BLOCK = 'p|div|br|li|ul|ol|tr|table|thead|tbody|h[1-6]|blockquote|pre|section|article|header|footer|hr|dd|dt|dl|figure|figcaption';

function codePoint(value: number): string {
  // Invalid or surrogate code points decode to U+FFFD, as HTML parsers do.
  if (!Number.isFinite(value) || value <= 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(value);
}

export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g, (match, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return codePoint(Number.parseInt(dec, 10));
    if (hex !== undefined) return codePoint(Number.parseInt(hex, 16));
    const key = Object.hasOwn(NAMED_ENTITIES, name!) ? name! : name!.toLowerCase();
    return Object.hasOwn(NAMED_ENTITIES, key) ? NAMED_ENTITIES[key]! : match;
  });
}

export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return collapse(html);
  const text = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(new RegExp(`<(script|style|template|noscript)\\b${ATTRIBUTES}>[\\s\\S]*?(?:<\\/\\1\\s*>|$)`, 'gi'), '')
    .replace(new RegExp(`<\\/?(?:${BLOCK})\\b${ATTRIBUTES}>`, 'gi'), '\n')
    .replace(new RegExp(`<\\/?(?:td|th)\\b${ATTRIBUTES}>`, 'gi'), ' ')
    .replace(new RegExp(`<\\/?[a-zA-Z]${ATTRIBUTES}>`, 'g'), '')
    .replace(/<![^>]*>/g, '');
  return collapse(decodeEntities(text));
}

/** Spaces and tabs collapse within lines; empty lines go (a paragraph end is one line break). */
function collapse(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0\u3000]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** At most `length` characters (code points) of a one-line rendering, with an ellipsis when cut. */
export function summarise(text: string, length = 100): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= length ? chars.join('') : `${chars.slice(0, length - 1).join('')}…`;
}
