import type { FastifyReply, FastifyRequest } from 'fastify';
import { isoInZone, localDateTime } from '../../core/shared/time.ts';
import { escapeXml, XSI_NAMESPACE } from '../shared/xml.ts';
import { DTO_NAMESPACE } from './parsers.ts';
import type { FollowUpRecordData, InfoResult } from './schemas.ts';

/**
 * Seed 000's `InfoResult`, in JSON or DataContract XML, chosen as ASP.NET Web API's content
 * negotiation would: the Accept header first, then the request's own Content-Type, then JSON.
 */

export const SHARE_DATA_NAMESPACE = 'http://schemas.datacontract.org/2004/07/CMS.Core.ShareData';

export type InfoCode = InfoResult['Code'];

export interface Answer {
  status: number;
  code: InfoCode;
  msg: string;
  extra: string;
  data: FollowUpRecordData | null;
}

type Format = { kind: 'json' | 'xml'; mediaType: string };

const JSON_TYPES = ['application/json', 'text/json'];
const XML_TYPES = ['application/xml', 'text/xml'];

/** The format of the answer: the best-quality JSON or XML type in Accept; with none, the body's own format. */
export function negotiate(request: FastifyRequest): Format {
  let best: Format | null = null;
  let bestQ = 0;
  for (const part of String(request.headers.accept ?? '').split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const kind = JSON_TYPES.includes(type) ? 'json' : XML_TYPES.includes(type) ? 'xml' : null;
    // Ties go to the earlier type; JSON is the first formatter, as in Web API.
    if (kind && q > bestQ) {
      best = { kind, mediaType: type };
      bestQ = q;
    }
  }
  if (best) return best;
  const sent = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (XML_TYPES.includes(sent)) return { kind: 'xml', mediaType: sent };
  return { kind: 'json', mediaType: 'application/json' };
}

/** JSON with bigint written as exact integer digits. */
export function stringifyJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function jsonBody(answer: Answer, timeZone: string | null): string {
  const data = answer.data ? { ...answer.data, FollowDate: localDateTime(answer.data.FollowDate, timeZone ?? 'UTC') } : {};
  return stringifyJson({ Data: data, IsSuccess: answer.code === '000000', Msg: answer.msg, Extra: answer.extra, Code: answer.code });
}

const el = (name: string, value: string | number | bigint) => {
  const text = escapeXml(String(value));
  return text === '' ? `<${name} />` : `<${name}>${text}</${name}>`;
};

/** `Data` as DataContractSerializer writes an object-typed member holding a FollowUpRecordDto. */
function xmlData(data: FollowUpRecordData | null, timeZone: string): string {
  if (!data) return '<Data />';
  const a = (name: string, value: string | number | bigint) => el(`d2p1:${name}`, value);
  const files = data.File.map(
    (f) => `<d2p1:AttachmentInfo>${a('AttachName', f.AttachName)}${a('AttachUrl', f.AttachUrl)}${a('BusinessCode', f.BusinessCode)}${a('Id', f.Id)}</d2p1:AttachmentInfo>`,
  ).join('');
  return (
    `<Data xmlns:d2p1="${DTO_NAMESPACE}" i:type="d2p1:FollowUpRecordDto">` +
    a('CustomerId', data.CustomerId) +
    a('CustomerName', data.CustomerName) +
    a('EmployeeId', data.EmployeeId) +
    a('EmployeeName', data.EmployeeName) +
    a('FResult', data.FResult) +
    a('FSite', data.FSite) +
    (files ? `<d2p1:File>${files}</d2p1:File>` : '<d2p1:File />') +
    a('FollowDate', isoInZone(data.FollowDate, timeZone)) +
    a('FtypeId', data.FtypeId) +
    a('FtypeName', data.FtypeName) +
    a('Id', data.Id) +
    '</Data>'
  );
}

function xmlBody(answer: Answer, timeZone: string | null): string {
  return (
    `<InfoResult xmlns:i="${XSI_NAMESPACE}" xmlns="${SHARE_DATA_NAMESPACE}">` +
    el('Code', answer.code) +
    el('Extra', answer.extra) +
    el('IsSuccess', String(answer.code === '000000')) +
    el('Msg', answer.msg) +
    xmlData(answer.data, timeZone ?? 'UTC') +
    '</InfoResult>'
  );
}

/** Sends the answer in the negotiated format; dates in the tenant's zone when the caller is known. */
export function sendAnswer(request: FastifyRequest, reply: FastifyReply, answer: Answer) {
  const format = negotiate(request);
  const timeZone = (request.ctx as typeof request.ctx | null)?.tenant.timezone ?? null;
  const body = format.kind === 'xml' ? xmlBody(answer, timeZone) : jsonBody(answer, timeZone);
  return reply.code(answer.status).type(`${format.mediaType}; charset=utf-8`).send(body);
}

export const success = (data: FollowUpRecordData): Answer => ({ status: 200, code: '000000', msg: '修改成功', extra: '', data });
