import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, invalidField } from '../shared/errors.ts';

/** How long a key is remembered, and how long an unfinished request holds its key. */
export const KEY_TTL_HOURS = 24;
const IN_FLIGHT_MINUTES = 5;

export type IdempotencyStart =
  | { kind: 'new' }
  | { kind: 'replay'; statusCode: number; body: string; headers: Record<string, string> };

/**
 * Idempotency-Key on creates (IETF draft-ietf-httpapi-idempotency-key-header): the same key
 * with the same request replays the first response without a second write; the same key with
 * a different request, or while the first is still running, is refused.
 */
export class IdempotencyService {
  constructor(private readonly db: Kysely<DB>) {}

  async begin(ctx: RequestContext, key: string, requestHash: string): Promise<IdempotencyStart> {
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw invalidField('Idempotency-Key', 'must be 1–255 visible ASCII characters');
    const userId = ctx.user?.id ?? '0';
    const now = ctx.clock.now();
    await this.db
      .deleteFrom('idempotency_key')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where((eb) =>
        eb.or([
          eb('created_at', '<', sql<Date>`${now}::timestamptz - make_interval(hours => ${KEY_TTL_HOURS})`),
          eb.and([eb('status_code', 'is', null), eb('created_at', '<', sql<Date>`${now}::timestamptz - make_interval(mins => ${IN_FLIGHT_MINUTES})`)]),
        ]),
      )
      .execute();
    const inserted = await this.db
      .insertInto('idempotency_key')
      .values({ tenant_id: ctx.tenant.id, user_id: userId, key, request_hash: requestHash, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { kind: 'new' };
    const existing = await this.db
      .selectFrom('idempotency_key')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (existing.request_hash !== requestHash) {
      throw new DomainError('invalid', 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request', {
        fields: [{ field: 'Idempotency-Key', message: 'was already used for a different request' }],
      });
    }
    if (existing.status_code === null || existing.response_body === null) {
      throw new DomainError('conflict', 'idempotency_in_progress', 'A request with this Idempotency-Key is still being processed');
    }
    return { kind: 'replay', statusCode: existing.status_code, body: existing.response_body, headers: existing.response_headers ?? {} };
  }

  async complete(ctx: RequestContext, key: string, statusCode: number, body: string, headers: Record<string, string>) {
    await this.db
      .updateTable('idempotency_key')
      .set({ status_code: statusCode, response_body: body, response_headers: JSON.stringify(headers) })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', ctx.user?.id ?? '0')
      .where('key', '=', key)
      .execute();
  }

  /** Forgets a key whose request failed, so the client may retry with it. */
  async abandon(ctx: RequestContext, key: string) {
    await this.db
      .deleteFrom('idempotency_key')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', ctx.user?.id ?? '0')
      .where('key', '=', key)
      .where('status_code', 'is', null)
      .execute();
  }
}
