/**
 * The kinds of file Genjin accepts, and how each is recognised. A browser's declared type is
 * only a hint (it sends application/octet-stream for anything it does not know, such as WPS's
 * .et), so the type is taken from the declared type or, failing that, the extension, and then
 * checked against the file's first bytes where the format has a signature.
 */

export interface AcceptedType {
  contentType: string;
  extensions: string[];
  /** Also accepted as the declared type (what browsers and Windows send for the same format). */
  aliases?: string[];
  /** One of these must match the start of the file; absent: the file must look like text. */
  signatures?: Signature[];
}

type Signature = { offset?: number; bytes: number[] } | { riff: string };

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

const OLE = { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] };
const ZIP = [{ bytes: ascii('PK\x03\x04') }, { bytes: ascii('PK\x05\x06') }];

const OOXML = 'application/vnd.openxmlformats-officedocument';

export const ACCEPTED_TYPES: AcceptedType[] = [
  { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe'], aliases: ['image/pjpeg'], signatures: [{ bytes: [0xff, 0xd8, 0xff] }] },
  { contentType: 'image/png', extensions: ['png'], signatures: [{ bytes: [0x89, ...ascii('PNG\r\n\x1a\n')] }] },
  { contentType: 'image/gif', extensions: ['gif'], signatures: [{ bytes: ascii('GIF87a') }, { bytes: ascii('GIF89a') }] },
  { contentType: 'image/webp', extensions: ['webp'], signatures: [{ riff: 'WEBP' }] },
  { contentType: 'image/bmp', extensions: ['bmp'], aliases: ['image/x-ms-bmp'], signatures: [{ bytes: ascii('BM') }] },
  { contentType: 'application/pdf', extensions: ['pdf'], aliases: ['application/x-pdf'], signatures: [{ bytes: ascii('%PDF-') }] },
  { contentType: 'application/msword', extensions: ['doc', 'dot'], signatures: [OLE] },
  { contentType: 'application/vnd.ms-excel', extensions: ['xls', 'xlt'], signatures: [OLE] },
  { contentType: 'application/vnd.ms-powerpoint', extensions: ['ppt', 'pps', 'pot'], signatures: [OLE] },
  { contentType: `${OOXML}.wordprocessingml.document`, extensions: ['docx'], signatures: ZIP },
  { contentType: `${OOXML}.spreadsheetml.sheet`, extensions: ['xlsx'], signatures: ZIP },
  { contentType: `${OOXML}.presentationml.presentation`, extensions: ['pptx'], signatures: ZIP },
  // WPS Office's own formats are OLE compound files (newer versions may write OOXML inside).
  { contentType: 'application/kswps', extensions: ['wps', 'wpt'], aliases: ['application/vnd.ms-works'], signatures: [OLE, ...ZIP] },
  { contentType: 'application/kset', extensions: ['et', 'ett'], signatures: [OLE, ...ZIP] },
  { contentType: 'application/ksdps', extensions: ['dps', 'dpt'], signatures: [OLE, ...ZIP] },
  { contentType: 'application/zip', extensions: ['zip'], aliases: ['application/x-zip-compressed', 'application/x-zip'], signatures: ZIP },
  { contentType: 'text/plain', extensions: ['txt', 'log'] },
  { contentType: 'text/csv', extensions: ['csv'], aliases: ['application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel'] },
];

export const ACCEPTED_SUMMARY = 'images (JPEG, PNG, GIF, WebP, BMP), PDF, Office and WPS documents, plain text, CSV and zip';

/** How many leading bytes the check needs. */
export const SNIFF_BYTES = 4096;

const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function matches(head: Uint8Array, signature: Signature): boolean {
  if ('riff' in signature) {
    return startsWith(head, ascii('RIFF'), 0) && startsWith(head, ascii(signature.riff), 8);
  }
  return startsWith(head, signature.bytes, signature.offset ?? 0);
}

function startsWith(head: Uint8Array, bytes: number[], offset: number): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

/** Text: no NUL bytes (UTF-16 files are refused) and none of the signatures of executables. */
function looksLikeText(head: Uint8Array): boolean {
  if (startsWith(head, ascii('MZ'), 0) || startsWith(head, [0x7f, ...ascii('ELF')], 0)) return false;
  return !head.includes(0);
}

/**
 * The accepted type of an upload, or null when it is not acceptable. `declared` is the part's
 * Content-Type; `head` its first bytes (up to SNIFF_BYTES).
 */
export function recogniseType(name: string, declared: string, head: Uint8Array): AcceptedType | null {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  const extension = extensionOf(name);
  const candidates = GENERIC.has(type)
    ? ACCEPTED_TYPES.filter((t) => t.extensions.includes(extension))
    : ACCEPTED_TYPES.filter((t) => t.contentType === type || t.aliases?.includes(type));
  // A declared type shared by several formats (Excel's CSV is sent as vnd.ms-excel) is
  // resolved by the extension first.
  candidates.sort((a, b) => Number(b.extensions.includes(extension)) - Number(a.extensions.includes(extension)));
  return candidates.find((t) => (t.signatures ? t.signatures.some((s) => matches(head, s)) : looksLikeText(head))) ?? null;
}
