import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB, Id, Webhook, WebhookDelivery } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { EVENT_TYPES } from '../events/outbox.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { invalidField, notFound, staleVersion } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { inTransaction } from '../shared/rows.ts';
import { loadSettings } from '../tenants/tenant-settings.ts';
import { attemptDelivery } from './delivery.ts';
import { resolveTarget, TargetError } from './targets.ts';

export interface WebhookInput {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  isActive?: boolean | undefined;
}

/** A subscription as listed: the secret is shown once, on create. */
export type WebhookView = Omit<Webhook, 'secret'>;

export interface DeliveryView extends WebhookDelivery {
  /** When the runner will try a failed delivery again (from its pending job), if it will. */
  retry_at: Date | null;
}

const PREFIXES = new Set(EVENT_TYPES.map((type) => type.slice(0, type.indexOf('.'))));

/** An event type, `<prefix>.*` for every event of one kind of entity, or `*` for all. */
export function isEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return PREFIXES.has(pattern.slice(0, -2));
  return (EVENT_TYPES as readonly string[]).includes(pattern);
}

export function matchesEvent(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

const hideSecret = ({ secret: _secret, ...webhook }: Webhook): WebhookView => webhook;

/** Tenant admins' webhook subscriptions (tenant:manage), their delivery log and test pings. */
export class WebhooksService {
  constructor(private readonly db: Kysely<DB>) {}

  async list(ctx: RequestContext, page: PageRequest): Promise<Page<WebhookView>> {
    requirePermission(ctx, 'tenant:manage');
    const limit = pageLimit(page);
    let query = this.db.selectFrom('webhook').selectAll().where('tenant_id', '=', ctx.tenant.id);
    if (page.cursor) query = query.where('id', '>', requireId(decodeCursor(page.cursor, 1)[0], 'cursor'));
    const rows = await query.orderBy('id').limit(limit + 1).execute();
    const result = toPage(rows, limit, (last) => [last.id]);
    return { ...result, items: result.items.map(hideSecret) };
  }

  async get(ctx: RequestContext, id: Id): Promise<WebhookView> {
    requirePermission(ctx, 'tenant:manage');
    return hideSecret(await this.require(this.db, ctx, id));
  }

  /** Returns the subscription with its signing secret: the only time the secret is shown. */
  async create(ctx: RequestContext, input: WebhookInput & { url: string; events: string[] }): Promise<{ webhook: WebhookView; secret: string }> {
    requirePermission(ctx, 'tenant:manage');
    await this.checkUrl(ctx, input.url);
    const events = checkEvents(input.events);
    const secret = randomBytes(32).toString('hex');
    return inTransaction(this.db, async (trx) => {
      const now = ctx.clock.now();
      const row = await trx
        .insertInto('webhook')
        .values({
          tenant_id: ctx.tenant.id,
          url: input.url,
          events,
          secret,
          is_active: input.isActive ?? true,
          description: input.description ?? null,
          created_by: ctx.user?.id ?? null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'webhook', entityId: row.id, action: 'create', after: hideSecret(row) });
      return { webhook: hideSecret(row), secret };
    });
  }

  async update(ctx: RequestContext, id: Id, input: WebhookInput, expectedVersion?: number): Promise<WebhookView> {
    requirePermission(ctx, 'tenant:manage');
    if (input.url !== undefined) await this.checkUrl(ctx, input.url);
    const events = input.events === undefined ? undefined : checkEvents(input.events);
    return inTransaction(this.db, async (trx) => {
      const before = await this.require(trx, ctx, id, true);
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('webhook', id);
      const after = await trx
        .updateTable('webhook')
        .set({
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(events !== undefined ? { events } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.isActive !== undefined ? { is_active: input.isActive } : {}),
          version: before.version + 1,
          updated_at: ctx.clock.now(),
        })
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'webhook', entityId: id, action: 'update', before: hideSecret(before), after: hideSecret(after) });
      return hideSecret(after);
    });
  }

  /** Deletes the subscription with its delivery log; its pending delivery jobs then find nothing to do. */
  async delete(ctx: RequestContext, id: Id): Promise<void> {
    requirePermission(ctx, 'tenant:manage');
    await inTransaction(this.db, async (trx) => {
      const before = await this.require(trx, ctx, id, true);
      await trx.deleteFrom('webhook').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'webhook', entityId: id, action: 'delete', before: hideSecret(before) });
    });
  }

  /** The delivery log, newest first. */
  async deliveries(ctx: RequestContext, id: Id, page: PageRequest): Promise<Page<DeliveryView>> {
    requirePermission(ctx, 'tenant:manage');
    await this.require(this.db, ctx, id);
    const limit = pageLimit(page);
    let query = this.db
      .selectFrom('webhook_delivery as d')
      .leftJoin('job as j', (join) =>
        join.on('j.status', '=', 'pending').on(sql<boolean>`j.dedupe_key = 'delivery:' || d.id`),
      )
      .selectAll('d')
      .select((eb) => eb.case().when('d.status', '=', 'failed').then(eb.ref('j.run_at')).else(null).end().as('retry_at'))
      .where('d.tenant_id', '=', ctx.tenant.id)
      .where('d.webhook_id', '=', id);
    if (page.cursor) query = query.where('d.id', '<', requireId(decodeCursor(page.cursor, 1)[0], 'cursor'));
    const rows = await query.orderBy('d.id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, (last) => [last.id]);
  }

  /** Sends a `ping` now and answers how it went; logged like any delivery, never retried. */
  async test(ctx: RequestContext, id: Id): Promise<DeliveryView> {
    requirePermission(ctx, 'tenant:manage');
    const webhook = await this.require(this.db, ctx, id);
    const delivery = await this.db
      .insertInto('webhook_delivery')
      .values({ tenant_id: ctx.tenant.id, webhook_id: id, event_id: null, event_type: 'ping', created_at: ctx.clock.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    // A failed ping stays `failed` with no retry due: no job stands behind it.
    const outcome = await attemptDelivery(this.db, ctx.clock, webhook, delivery, false);
    return { ...outcome.delivery, retry_at: null };
  }

  private async require(executor: Kysely<DB>, ctx: RequestContext, id: Id, forUpdate = false): Promise<Webhook> {
    requireId(id, 'id');
    let query = executor.selectFrom('webhook').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', '=', id);
    if (forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw notFound('webhook', id);
    return row;
  }

  private async checkUrl(ctx: RequestContext, url: string): Promise<void> {
    if (url.length > 2000) throw invalidField('url', 'must be at most 2000 characters');
    const settings = await loadSettings(this.db, ctx.tenant.id);
    try {
      await resolveTarget(url, settings.allowPrivateWebhookTargets);
    } catch (error) {
      if (error instanceof TargetError) throw invalidField('url', error.message, 'webhook_target_refused');
      throw error;
    }
  }
}

function checkEvents(events: string[]): string[] {
  if (events.length === 0) throw invalidField('events', 'must name at least one event type or pattern');
  events.forEach((event, index) => {
    if (!isEventPattern(event)) {
      throw invalidField(`events.${index}`, `"${event}" is not an event type (${EVENT_TYPES.join(', ')}), a pattern such as "opportunity.*", or "*"`);
    }
  });
  return [...new Set(events)];
}
