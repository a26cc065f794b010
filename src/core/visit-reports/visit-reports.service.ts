import { sql, type Kysely } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, Id, VisitReport } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { FollowUpFilter, FollowUpsService, FollowUpView } from '../follow-ups/follow-ups.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, encodeCursor, type Page, pageLimit, type PageRequest, toKeysetPage } from '../shared/pagination.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';
import { filteredReports, type ReportWithActivity, reportsWithActivity, reportVisibility, toReportViews, type VisitReportView } from './visit-reports.repository.ts';

export type { ReportWithActivity, VisitReportView } from './visit-reports.repository.ts';

export interface VisitReportInput {
  /** Default on create: the caller. */
  authorId?: Id | undefined;
  /** Default on create: now. */
  reportedAt?: Date | undefined;
  title?: string | undefined;
  effect?: string | null | undefined;
  problems?: string | null | undefined;
  suggestion?: string | null | undefined;
  workPlan?: string | null | undefined;
  status?: number | undefined;
  kind?: number | undefined;
  note?: string | null | undefined;
}

export interface VisitReportFilter extends PageRequest {
  authorId?: Id | undefined;
  /** reported_at at or after. */
  from?: Date | undefined;
  /** reported_at before. */
  to?: Date | undefined;
  /** Reports holding a follow-up of this customer. */
  customerId?: Id | undefined;
  /** Reports holding a follow-up this user collaborated on. */
  participantId?: Id | undefined;
  /** Title fragment. */
  q?: string | undefined;
}

export interface CommentView {
  id: Id;
  report_id: Id;
  user_id: Id;
  user_name: string;
  content: string;
  created_at: Date;
}

export interface ReadView {
  user_id: Id;
  user_name: string;
  read_at: Date;
}

const TEXT_FIELDS = [
  ['effect', 'effect'],
  ['problems', 'problems'],
  ['suggestion', 'suggestion'],
  ['workPlan', 'work_plan'],
  ['note', 'note'],
] as const;

const MAX_TEXT = 10_000;
const MAX_COMMENT = 2_000;

export class VisitReportsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly followUps: FollowUpsService,
  ) {}

  async list(ctx: RequestContext, filter: VisitReportFilter): Promise<Page<VisitReportView>> {
    for (const key of ['authorId', 'customerId', 'participantId'] as const) if (filter[key] !== undefined) requireId(filter[key], key);
    const limit = pageLimit(filter);
    const visible = await reportVisibility(this.db, ctx);
    const base = filteredReports(this.db, ctx.tenant.id, visible, filter);
    // Same keyset as follow-ups: the time as the database's text (microseconds intact), then the id.
    let q = base.selectAll('r').select(sql<string>`r.reported_at::text`.as('sort_key'));
    if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor, 2);
      if (typeof value !== 'string') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      q = q.where(sql<boolean>`(r.reported_at, r.id) < (${value}::timestamptz, ${requireId(id, 'cursor')}::bigint)`);
    }
    const rows = await q.orderBy('r.reported_at', 'desc').orderBy('r.id', 'desc').limit(limit + 1).execute();
    const keyset = toKeysetPage(rows, limit, (row) => row.id);
    const page: Page<VisitReportView> = { items: await toReportViews(this.db, ctx.tenant.id, keyset.items), nextCursor: keyset.nextCursor };
    if (filter.withTotal) {
      const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      page.total = Number(total.n);
    }
    return page;
  }

  /** Opening a report someone else wrote records that the caller has read it (once per user). */
  async get(ctx: RequestContext, id: Id, options: { markRead?: boolean } = {}): Promise<VisitReportView> {
    const row = await this.requireVisible(this.db, ctx, id);
    if ((options.markRead ?? true) && ctx.user && ctx.user.id !== row.author_id) {
      await this.db
        .insertInto('visit_report_read')
        .values({ tenant_id: ctx.tenant.id, report_id: row.id, user_id: ctx.user.id, read_at: ctx.clock.now() })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    return (await toReportViews(this.db, ctx.tenant.id, [row]))[0]!;
  }

  async create(ctx: RequestContext, input: VisitReportInput & { title: string }): Promise<VisitReportView> {
    return inTransaction(this.db, async (trx) => {
      const values = await this.columns(trx, ctx, input);
      const authorId = input.authorId ?? ctx.user?.id;
      if (!authorId) throw invalidField('authorId', 'is required when no user is signed in');
      const now = ctx.clock.now();
      const row = await trx
        .insertInto('visit_report')
        .values({
          ...(values as object),
          tenant_id: ctx.tenant.id,
          author_id: authorId,
          title: values.title as string,
          reported_at: (values.reported_at as Date | undefined) ?? now,
          created_at: now,
          updated_at: now,
        } as never)
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'visit_report', entityId: row.id, action: 'create', after: row });
      return (await toReportViews(trx, ctx.tenant.id, [row]))[0]!;
    });
  }

  async update(ctx: RequestContext, id: Id, input: VisitReportInput, expectedVersion?: number): Promise<VisitReportView> {
    return inTransaction(this.db, async (trx) => {
      await this.requireVisible(trx, ctx, id);
      const values = await this.columns(trx, ctx, input);
      const row = await updateVersioned<VisitReport>(trx, ctx, { table: 'visit_report', entity: 'visit_report', id, expectedVersion, values });
      return (await toReportViews(trx, ctx.tenant.id, [row]))[0]!;
    });
  }

  /** A report that holds follow-ups is kept: they would lose their place. Move them out first. */
  async delete(ctx: RequestContext, id: Id): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await this.requireVisible(trx, ctx, id, true);
      const held = await trx.selectFrom('follow_up').select('id').where('tenant_id', '=', ctx.tenant.id).where('visit_report_id', '=', id).limit(1).executeTakeFirst();
      if (held) throw conflict('visit_report_not_empty', `visit report ${id} holds follow-ups; move or delete them first`);
      await trx.deleteFrom('visit_report').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'visit_report', entityId: id, action: 'delete', before: row });
    });
  }

  /** The follow-ups the report holds, of the customers the caller can see. */
  async listFollowUps(ctx: RequestContext, id: Id, filter: Omit<FollowUpFilter, 'visitReportId'>): Promise<Page<FollowUpView>> {
    await this.requireVisible(this.db, ctx, id);
    return this.followUps.list(ctx, { ...filter, visitReportId: id });
  }

  /** Newest first, as seed 001 lists them. */
  async listComments(ctx: RequestContext, id: Id, page: PageRequest): Promise<Page<CommentView>> {
    await this.requireVisible(this.db, ctx, id);
    const limit = pageLimit(page);
    let q = this.commentQuery(this.db, ctx).where('m.report_id', '=', id);
    if (page.cursor) q = q.where('m.id', '<', requireId(decodeCursor(page.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('m.id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }

  async addComment(ctx: RequestContext, id: Id, input: { content: string }): Promise<CommentView> {
    if (!ctx.user) throw invalidField('userId', 'a comment needs a signed-in user');
    const content = typeof input.content === 'string' ? input.content.trim() : '';
    if (!content) throw invalidField('content', 'must not be empty');
    if (content.length > MAX_COMMENT) throw invalidField('content', `must be at most ${MAX_COMMENT} characters`);
    const userId = ctx.user.id;
    return inTransaction(this.db, async (trx) => {
      await this.requireVisible(trx, ctx, id);
      const row = await trx
        .insertInto('visit_report_comment')
        .values({ tenant_id: ctx.tenant.id, report_id: id, user_id: userId, content, created_at: ctx.clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'visit_report_comment', entityId: row.id, action: 'create', after: { report_id: id, content } });
      return this.commentQuery(trx, ctx).where('m.id', '=', row.id).executeTakeFirstOrThrow();
    });
  }

  /**
   * A page of reports by number (seed 001 pages so), each with its author's name, comments and
   * read receipts: one query for the page and one for the count, whatever the page size.
   */
  async pageWithActivity(
    ctx: RequestContext,
    filter: Omit<VisitReportFilter, keyof PageRequest> & { offset: number; limit: number },
  ): Promise<{ items: ReportWithActivity[]; total: number }> {
    for (const key of ['authorId', 'customerId', 'participantId'] as const) if (filter[key] !== undefined) requireId(filter[key], key);
    if (!Number.isSafeInteger(filter.offset) || filter.offset < 0) throw invalidField('offset', 'must be an integer of at least 0');
    const limit = pageLimit(filter);
    const visible = await reportVisibility(this.db, ctx);
    const base = filteredReports(this.db, ctx.tenant.id, visible, filter);
    const [items, total] = await Promise.all([
      reportsWithActivity(this.db, base, filter.offset, limit),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  }

  /** Who has opened the report, first reader first. */
  async listReads(ctx: RequestContext, id: Id): Promise<ReadView[]> {
    await this.requireVisible(this.db, ctx, id);
    return this.db
      .selectFrom('visit_report_read as v')
      .innerJoin('app_user as u', (j) => j.onRef('u.tenant_id', '=', 'v.tenant_id').onRef('u.id', '=', 'v.user_id'))
      .select(['v.user_id', 'u.name as user_name', 'v.read_at'])
      .where('v.tenant_id', '=', ctx.tenant.id)
      .where('v.report_id', '=', id)
      .orderBy('v.read_at')
      .orderBy('v.user_id')
      .execute();
  }

  private commentQuery(executor: Executor, ctx: RequestContext) {
    return executor
      .selectFrom('visit_report_comment as m')
      .innerJoin('app_user as u', (j) => j.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.user_id'))
      .select(['m.id', 'm.report_id', 'm.user_id', 'u.name as user_name', 'm.content', 'm.created_at'])
      .where('m.tenant_id', '=', ctx.tenant.id);
  }

  private async requireVisible(executor: Executor, ctx: RequestContext, id: Id, forUpdate = false): Promise<VisitReport> {
    requireId(id, 'id');
    const visible = await reportVisibility(executor, ctx);
    let q = executor.selectFrom('visit_report as r').selectAll('r').where('r.tenant_id', '=', ctx.tenant.id).where('r.id', '=', id).where(visible);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('visit_report', id);
    return row;
  }

  private async columns(executor: Executor, ctx: RequestContext, input: VisitReportInput): Promise<Record<string, unknown>> {
    const values: Record<string, unknown> = {};
    if (input.title !== undefined) {
      const title = input.title.trim();
      if (!title) throw invalidField('title', 'must not be empty');
      if (title.length > 200) throw invalidField('title', 'must be at most 200 characters');
      values.title = title;
    }
    for (const [field, column] of TEXT_FIELDS) {
      const value = input[field];
      if (value === undefined) continue;
      const text = value === null ? '' : value.trim();
      if (text.length > MAX_TEXT) throw invalidField(field, `must be at most ${MAX_TEXT} characters`);
      values[column] = text === '' ? null : text;
    }
    if (input.reportedAt !== undefined) {
      if (!(input.reportedAt instanceof Date) || Number.isNaN(input.reportedAt.getTime())) throw invalidField('reportedAt', 'must be a valid time');
      values.reported_at = input.reportedAt;
    }
    for (const field of ['status', 'kind'] as const) {
      const value = input[field];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0 || value > 32767) throw invalidField(field, 'must be an integer from 0 to 32767');
      values[field] = value;
    }
    if (input.authorId !== undefined) {
      const author = await executor.selectFrom('app_user').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', '=', requireId(input.authorId, 'authorId')).executeTakeFirst();
      if (!author) throw invalidField('authorId', `user ${input.authorId} does not exist`, 'reference_not_found');
      values.author_id = author.id;
    }
    return values;
  }
}
