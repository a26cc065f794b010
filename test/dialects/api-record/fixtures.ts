import { expect } from 'vitest';
import type { InjectOptions } from 'fastify';
import { makeCustomer } from '../../helpers/crm.ts';
import { type Harness, type TestTenant } from '../../helpers/harness.ts';

/** The seed's sample answer to GET /api/record/follow (its `[[…]]` artifact flattened). */
export const SEED_LIST_SAMPLE = {
  status: 0,
  data: [
    {
      id: 3,
      user_id: 1,
      type: 1,
      recordTime: '2022-03-14 11:21:17',
      title: '2022.03.14-汪小嘉-',
      effect: '3.14新增员工需求是否已读功能',
      problems: '无',
      suggestion: '无建议',
      workplan: '暂无',
      createTime: '2022-03-14 11:21:18',
      updateTime: '2022-03-18 15:37:27',
      status: 1,
      note: null,
      user_name: '汪小嘉',
      comment: [{ id: 5, user_id: 1, createTime: '2022-03-18 14:35:03', content: '测试评论发布', user_name: '汪小嘉' }],
      reading: [{ user_id: 1, createTime: '2022-03-21 10:59:20', username: '汪小嘉' }],
    },
  ],
  page_info: { total: 6, page: 1, count: 20 },
};

/** Fields the seed shows as null somewhere: text the client may leave empty. */
const NULLABLE_TEXT = new Set(['problems', 'suggestion', 'workplan', 'note', 'effect']);

/** Every field of `sample` is in `actual` with the same JSON type (arrays checked item by item). */
export function expectSameShape(actual: unknown, sample: unknown, path = '$'): void {
  if (Array.isArray(sample)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    for (const [i, item] of (actual as unknown[]).entries()) expectSameShape(item, sample[0], `${path}[${i}]`);
    return;
  }
  if (sample !== null && typeof sample === 'object') {
    expect(actual !== null && typeof actual === 'object', `${path} is an object`).toBe(true);
    for (const [key, value] of Object.entries(sample)) {
      expect(Object.hasOwn(actual as object, key), `${path}.${key} is present`).toBe(true);
      const got = (actual as Record<string, unknown>)[key];
      if (NULLABLE_TEXT.has(key) && (got === null || value === null)) {
        expect(got === null || typeof got === 'string', `${path}.${key} is a string or null`).toBe(true);
      } else {
        expectSameShape(got, value, `${path}.${key}`);
      }
    }
    return;
  }
  if (typeof sample === 'number') {
    expect(Number.isInteger(actual), `${path} is an integer`).toBe(Number.isInteger(sample));
  }
  expect(typeof actual, `${path} type`).toBe(typeof sample);
}

export type Send = (method: InjectOptions['method'], url: string, options?: { body?: unknown; form?: string; headers?: Record<string, string>; token?: string | null }) => Promise<{ status: number; body: any; raw: string }>;

/** HTTP to the dialect: JSON or form bodies, a bearer token unless told otherwise. */
export function recordClient(h: Harness, token: string): Send {
  return async (method, url, options = {}) => {
    const headers: Record<string, string> = { ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? token}` }) };
    let payload: string | undefined;
    if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = options.form;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await h.app.inject({ method, url, headers: { ...headers, ...options.headers }, ...(payload !== undefined ? { payload } : {}) });
    const raw = response.body;
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // not JSON: the test will say so
    }
    return { status: response.statusCode, body, raw };
  };
}

/** A customer with contacts, written through the services as the tenant's admin. */
export async function customerWithContacts(h: Harness, tenant: TestTenant, names: string[] = ['王经理', '李工']) {
  const customer = await makeCustomer(h, tenant.ctx);
  const contacts = [];
  for (const name of names) contacts.push(await h.services.contacts.create(tenant.ctx, customer.id, { name }));
  return { customer, contactIds: contacts.map((c) => c.id) };
}

/** A visit report written by the admin (or `as`), at `reportedAt`. */
export async function report(h: Harness, tenant: TestTenant, reportedAt: string, overrides: Record<string, unknown> = {}) {
  return h.services.visitReports.create(tenant.ctx, { title: `${reportedAt.slice(0, 10)}-周报-`, authorId: tenant.adminId, effect: '拜访客户', reportedAt: new Date(reportedAt), status: 1, kind: 1, ...overrides });
}

/** The service context of the tenant's admin user (tenant.ctx is the system, with no user). */
export function adminContext(h: Harness, tenant: TestTenant) {
  return h.services.auth.authenticate(tenant.adminToken, { api: 'native', requestId: null, clock: h.clock });
}

let logins = 0;

/** A named user with a role and a token, plus the service context that token resolves to. */
export async function person(h: Harness, tenant: TestTenant, name: string, roleCode = 'admin') {
  const user = await h.services.users.create(tenant.ctx, { login: `p${++logins}-${Math.random().toString(36).slice(2, 8)}`, name, roleCode, password: 'user-pass-1' });
  const { token } = await h.services.auth.createToken(tenant.ctx, { name: 'test', userId: user.id });
  const ctx = await h.services.auth.authenticate(token, { api: 'native', requestId: null, clock: h.clock });
  return { user, token, ctx };
}
