import { describe, expect, it } from 'vitest';
import { DomainError, invalidField, notFound, unauthenticated } from '../../../src/core/shared/errors.ts';
import { toFailure, wireField } from '../../../src/dialects/api-record/errors.ts';

/** The one function that turns every failure into seed 001's envelope and an HTTP status. */
describe('seed 001 failures', () => {
  it('names core input fields as the wire does', () => {
    expect(wireField('contactIds[2]')).toBe('customers_id[2]');
    expect(wireField('participantIds[0]')).toBe('follower_id[0]');
    expect(wireField('attachments[0].url')).toBe('event_attach');
    expect(wireField('followedAt')).toBe('record_time');
    expect(wireField('eventCode')).toBe('event');
    expect(wireField('visitReportId')).toBe('protent_id');
    expect(wireField('customers_id')).toBe('customers_id');
  });

  it('answers business failures with HTTP 200 and transport failures with their status', () => {
    expect(toFailure(invalidField('costNote', 'must be at most 1000 characters'))).toEqual({ httpStatus: 200, body: { status: 1, msg: 'cost_note: 参数不正确（must be at most 1000 characters）' } });
    expect(toFailure(notFound('follow_up', '7'))).toEqual({ httpStatus: 200, body: { status: 1, msg: 'follow_id: 记录不存在（follow up 7 does not exist）' } });
    expect(toFailure(new DomainError('forbidden', 'missing_permission', 'no'))).toEqual({ httpStatus: 200, body: { status: 1, msg: '没有权限（no）' } });
    expect(toFailure(new DomainError('precondition_failed', 'stale_version', 'changed')).body.msg).toMatch(/^记录已被他人修改/);
    expect(toFailure(unauthenticated('invalid_token', 'bad token')).httpStatus).toBe(401);
    expect(toFailure(Object.assign(new Error('too big'), { statusCode: 413 })).httpStatus).toBe(413);
    expect(toFailure(Object.assign(new Error('no parser'), { statusCode: 415 })).httpStatus).toBe(415);
    expect(toFailure(Object.assign(new Error('Unexpected token'), { statusCode: 400 }))).toEqual({ httpStatus: 200, body: { status: 1, msg: '请求体无法解析：Unexpected token' } });
    expect(toFailure(new Error('secret internals'))).toEqual({ httpStatus: 500, body: { status: 1, msg: '服务器内部错误' } });
    expect(toFailure(null).httpStatus).toBe(500);
  });
});
