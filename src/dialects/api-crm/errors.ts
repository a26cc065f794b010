import type { FastifyError } from 'fastify';
import { type DomainError, isDomainError } from '../../core/shared/errors.ts';
import type { Answer } from './envelope.ts';

/**
 * Every failure of seed 000 as an InfoResult: `Code` 000001 (validation, not found, conflict),
 * 000002 (not logged in, not allowed); `Msg` in Chinese, naming the field in the seed's own
 * spelling (`File[1].AttachUrl：…`); `Extra` the stable machine-readable reason. One pure function.
 */

/** Core field names as the seed spells them. */
const FIELDS: Record<string, string> = {
  id: 'Id',
  customerId: 'CustomerId',
  userId: 'EmployeeId',
  typeId: 'FtypeId',
  typeCode: 'FtypeId',
  content: 'FResult',
  site: 'FSite',
  followedAt: 'FollowDate',
  attachments: 'File',
};
const ATTACHMENT_FIELDS: Record<string, string> = { id: 'Id', name: 'AttachName', url: 'AttachUrl', fileId: 'AttachUrl', businessCode: 'BusinessCode' };

export function wireField(field: string): string {
  const item = /^(?:attachments|File)\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (item) return `File[${item[1]}]${item[2] ? `.${ATTACHMENT_FIELDS[item[2]] ?? item[2]}` : ''}`;
  return FIELDS[field] ?? field;
}

const ENTITIES: Record<string, string> = { customer: '客户', 'follow up': '跟进记录', user: '用户', file: '文件', contact: '联系人', opportunity: '商机' };

/** The core's English reasons in the seed's language; anything else stays as the core said it. */
const REASONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^(customer|follow up|user|file|contact|opportunity) (\d+) does not exist$/, (m) => `${ENTITIES[m[1]!]} ${m[2]} 不存在`],
  [/^is required$|^must not be empty$/, () => '不能为空'],
  [/^must be at most (\d+) characters$/, (m) => `不能超过 ${m[1]} 个字符`],
  [/^must have at most (\d+) items$/, (m) => `最多 ${m[1]} 项`],
  [/^must be an http or https URL, or a path$/, () => '必须是 http 或 https 地址，或本站路径'],
  [/^is not an attachment of this follow-up$/, () => '不是该跟进记录的附件'],
  [/^is listed twice$/, () => '重复出现'],
  [/^needs a url or a fileId$/, () => '新附件需要 AttachUrl'],
  [/^(\d+) is not a code of the follow_up_type dictionary$/, (m) => `${m[1]} 不是跟进类型代码`],
  [/^must be a positive 64-bit integer id/, () => '必须是不超过 9223372036854775807 的正整数'],
  [/^must be a (valid )?time/, () => '日期格式不正确，应如 2026-03-31 21:49:35 或 2026-03-31T21:49:35+08:00'],
];

function reason(message: string): string {
  for (const [pattern, say] of REASONS) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  return message;
}

const UNAUTHENTICATED: Record<string, string> = {
  missing_token: '未登录：请求没有携带 token（Authorization: Bearer、token 请求头或 token 查询参数）',
  invalid_token: '未登录：token 无效',
  token_revoked: '未登录：token 已被撤销',
  token_expired: '未登录：token 已过期',
  user_disabled: '未授权：账号已停用',
};

const failure = (status: number, code: Answer['code'], msg: string, extra: string): Answer => ({ status, code, msg, extra, data: null });

function domainAnswer(error: DomainError): Answer {
  switch (error.kind) {
    case 'unauthenticated':
      return failure(200, '000002', UNAUTHENTICATED[error.code] ?? `未登录：${error.message}`, error.code);
    case 'forbidden':
      return failure(200, '000002', `未授权：${error.message}`, error.code);
    case 'precondition_failed':
    case 'conflict':
      if (error.code === 'concurrent_update' || error.code === 'stale_version') return failure(200, '000001', 'Id：跟进记录正被同时修改，请重试', error.code);
  }
  const issue = error.details.fields?.[0];
  if (issue) return failure(200, '000001', issue.field === 'body' ? issue.message : `${wireField(issue.field)}：${reason(issue.message)}`, error.code);
  if (error.code === 'follow_up_not_found') return failure(200, '000001', `Id：${reason(error.message)}`, error.code);
  return failure(200, '000001', reason(error.message), error.code);
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

const INTEGER_FIELD = /^(Id|CustomerId|EmployeeId|FtypeId|File\[\d+\]\.Id)$/;

/** A schema violation in the seed's words: the first issue, its field named as the seed does. */
function validationAnswer(issues: AjvIssue[]): Answer {
  const issue = issues[0]!;
  const path = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required') path.push(String(issue.params.missingProperty));
  const field = path.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  let why: string;
  if (!field) why = '必须是 FollowUpRecordDto 对象';
  else if (issue.keyword === 'required') why = '不能为空';
  else if (issue.keyword === 'maxLength') why = `不能超过 ${String(issue.params.limit)} 个字符`;
  else if (issue.keyword === 'maxItems') why = `最多 ${String(issue.params.limit)} 项`;
  else if (INTEGER_FIELD.test(field)) why = '必须是整数';
  else if (field === 'File') why = '必须是 AttachmentInfo 数组';
  else if (/^File\[\d+\]$/.test(field)) why = '必须是 AttachmentInfo 对象';
  else why = '必须是字符串';
  return failure(200, '000001', field ? `${field}：${why}` : `请求体${why}`, 'validation_failed');
}

/**
 * The answer for anything a route, hook or body parser threw. Transport refusals keep the status
 * ASP.NET gives them (413, 415); whatever reached the action answers 200, as the seed's system
 * answered every InfoResult. `unexpected` asks the caller to log it.
 */
export function errorAnswer(error: unknown, request: { id: string; bodyLimit: number }): Answer & { unexpected?: true } {
  if (isDomainError(error)) return domainAnswer(error);
  const fastify = error as Partial<FastifyError> & { validation?: AjvIssue[] };
  if (Array.isArray(fastify.validation) && fastify.validation.length) return validationAnswer(fastify.validation);
  switch (fastify.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return failure(413, '000001', `请求体超过 ${request.bodyLimit} 字节的大小限制`, 'body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return failure(415, '000001', '不支持的请求格式：请使用 application/json、text/json、application/xml、text/xml 或 application/x-www-form-urlencoded', 'unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return failure(200, '000001', '请求体为空', 'empty_body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return failure(400, '000001', '请求体长度与 Content-Length 不符', 'malformed_body');
  }
  if (fastify.statusCode && fastify.statusCode < 500) return failure(fastify.statusCode, '000001', `请求无效：${fastify.message ?? ''}`, 'malformed_request');
  return { ...failure(500, '000001', `服务器内部错误，请求编号 ${request.id}`, 'internal_error'), unexpected: true };
}
