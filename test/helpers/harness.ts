import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll } from 'vitest';
import { createServices, type Services } from '../../src/core/services.ts';
import { fixedClock, systemClock, type Clock } from '../../src/core/shared/clock.ts';
import type { RequestContext } from '../../src/core/shared/context.ts';
import type { Database } from '../../src/db/database.ts';
import { buildServer } from '../../src/server.ts';
import { openTestDatabase } from './database.ts';

export interface Harness {
  database: Database;
  services: Services;
  app: FastifyInstance;
  clock: Clock;
}

/**
 * One database and one server for a test file, closed after it. Files share nothing, so they
 * may run in parallel and in any order.
 */
export async function setupHarness(options: { clock?: Clock; bodyLimit?: number; fileLimit?: number } = {}): Promise<Harness> {
  const database = await openTestDatabase();
  const filesDir = mkdtempSync(join(tmpdir(), 'genjin-files-'));
  const services = createServices(database.db, { filesDir, fileLimit: options.fileLimit });
  const clock = options.clock ?? systemClock;
  const app = await buildServer({ database, services, clock, bodyLimit: options.bodyLimit ?? 1024 * 1024, logger: false, version: 'test' });
  await app.ready();
  openHarnesses.push(async () => {
    await app.close();
    await database.close();
    rmSync(filesDir, { recursive: true, force: true });
  });
  return { database, services, app, clock };
}

/**
 * Closers of the harnesses a test file opened. Test files call setupHarness inside beforeAll,
 * where vitest does not run an afterAll registered there; this one is registered when the file
 * imports this module, so it runs after the file's tests.
 */
const openHarnesses: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of openHarnesses.splice(0).reverse()) await close();
});

export { fixedClock };

export interface TestTenant {
  slug: string;
  id: string;
  adminId: string;
  adminToken: string;
  adminPassword: string;
  /** Acts as the tenant's admin through the services (for arranging data). */
  ctx: RequestContext;
}

let tenantCounter = 0;

export async function makeTenant(h: Harness, overrides: { slug?: string; timezone?: string; adminPassword?: string } = {}): Promise<TestTenant> {
  const slug = overrides.slug ?? `t${++tenantCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const created = await h.services.tenants.create({ slug, timezone: overrides.timezone, adminPassword: overrides.adminPassword ?? 'admin-pass-1' }, 'system', h.clock);
  return {
    slug,
    id: created.tenant.id,
    adminId: created.admin.id,
    adminToken: created.token,
    adminPassword: created.password ?? '',
    ctx: await h.services.tenants.adminContext(slug, 'system', h.clock),
  };
}

/** A user with a role (by code) and an API token of their own. */
export async function makeUser(h: Harness, tenant: TestTenant, overrides: { login?: string; role?: string; password?: string; departmentId?: string } = {}) {
  const user = await h.services.users.create(tenant.ctx, {
    login: overrides.login ?? `u${Math.random().toString(36).slice(2, 10)}`,
    password: overrides.password ?? 'user-pass-1',
    roleCode: overrides.role ?? 'sales',
    departmentId: overrides.departmentId,
  });
  const { token } = await h.services.auth.createToken(tenant.ctx, { name: 'test', userId: user.id });
  return { user, token };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** HTTP through app.inject(), with JSON in and out. */
export function client(app: FastifyInstance, token?: string) {
  const send = async <T = any>(method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}),
    });
    const type = String(response.headers['content-type'] ?? '');
    return { status: response.statusCode, body: (type.includes('json') ? response.json() : response.body) as T, headers: response.headers };
  };
  return {
    get: <T = any>(url: string, headers?: Record<string, string>) => send<T>('GET', url, undefined, headers),
    post: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => send<T>('POST', url, body ?? {}, headers),
    patch: <T = any>(url: string, body: unknown, headers?: Record<string, string>) => send<T>('PATCH', url, body, headers),
    put: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => send<T>('PUT', url, body ?? {}, headers),
    delete: <T = any>(url: string, headers?: Record<string, string>) => send<T>('DELETE', url, undefined, headers),
  };
}
