import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id, VisitReport } from '../../db/schema.ts';
import { departmentSubtree } from '../departments/departments.service.ts';
import type { RequestContext } from '../shared/context.ts';

/**
 * The SQL condition on a visit report (aliased `r`) that says whether the caller may see it:
 * the role's data scope applied to the report's author, as customers apply it to their owner.
 * Own: the caller's reports; department / department tree: reports by users of those
 * departments (and the caller's own); all: every report of the tenant.
 */
export async function reportVisibility(executor: Executor, ctx: RequestContext): Promise<RawBuilder<boolean>> {
  if (ctx.dataScope === 'all' || !ctx.user) return sql<boolean>`true`;
  const me = ctx.user.id;
  const department = ctx.user.departmentId;
  if (!department || ctx.dataScope === 'own') return sql<boolean>`r.author_id = ${me}`;
  const departments = ctx.dataScope === 'department' ? [department] : await departmentSubtree(executor, ctx.tenant.id, department);
  return sql<boolean>`(r.author_id = ${me} OR EXISTS (SELECT 1 FROM app_user a WHERE a.tenant_id = r.tenant_id AND a.id = r.author_id AND a.department_id = ANY(${sql.val(departments)}::bigint[])))`;
}

export interface VisitReportView extends VisitReport {
  author_name: string;
  /** Follow-ups the report holds, of any customer (visibility is applied when they are listed). */
  follow_up_count: number;
  comment_count: number;
  read_count: number;
}

export async function toReportViews(executor: Executor, tenantId: Id, rows: VisitReport[]): Promise<VisitReportView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const count = (table: 'follow_up' | 'visit_report_comment' | 'visit_report_read', column: 'visit_report_id' | 'report_id') =>
    executor
      .selectFrom(table)
      .select([sql<Id>`${sql.ref(column)}`.as('report_id'), sql<string>`count(*)`.as('n')])
      .where('tenant_id', '=', tenantId)
      .where(sql.ref(column), 'in', ids)
      .groupBy(sql.ref(column))
      .execute();
  const [authors, followUps, comments, reads] = await Promise.all([
    executor.selectFrom('app_user').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(rows.map((r) => r.author_id))]).execute(),
    count('follow_up', 'visit_report_id'),
    count('visit_report_comment', 'report_id'),
    count('visit_report_read', 'report_id'),
  ]);
  const names = new Map(authors.map((a) => [a.id, a.name]));
  const counts = (list: { report_id: Id; n: string }[]) => new Map(list.map((c) => [c.report_id, Number(c.n)]));
  const [f, c, r] = [counts(followUps), counts(comments), counts(reads)];
  return rows.map((row) => ({
    ...row,
    author_name: names.get(row.author_id) ?? '',
    follow_up_count: f.get(row.id) ?? 0,
    comment_count: c.get(row.id) ?? 0,
    read_count: r.get(row.id) ?? 0,
  }));
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface ReportConditions {
  authorId?: Id | undefined;
  /** reported_at at or after. */
  from?: Date | undefined;
  /** reported_at before. */
  to?: Date | undefined;
  /** Title fragment. */
  q?: string | undefined;
  /** Reports holding a follow-up of this customer (follow_up_by_report, per report). */
  customerId?: Id | undefined;
  /** Reports holding a follow-up this user collaborated on. */
  participantId?: Id | undefined;
}

/** The tenant's reports (aliased `r`) the caller may see (`visible`) that match the conditions. */
export function filteredReports(executor: Executor, tenantId: Id, visible: RawBuilder<boolean>, filter: ReportConditions) {
  let base = executor.selectFrom('visit_report as r').where('r.tenant_id', '=', tenantId).where(visible);
  if (filter.authorId) base = base.where('r.author_id', '=', filter.authorId);
  if (filter.from) base = base.where('r.reported_at', '>=', filter.from);
  if (filter.to) base = base.where('r.reported_at', '<', filter.to);
  if (filter.q) base = base.where(sql<boolean>`r.title ILIKE ${likePattern(filter.q.trim())}`);
  if (filter.customerId) {
    base = base.where(sql<boolean>`EXISTS (SELECT 1 FROM follow_up f WHERE f.tenant_id = r.tenant_id AND f.visit_report_id = r.id AND f.customer_id = ${filter.customerId})`);
  }
  if (filter.participantId) {
    base = base.where(
      sql<boolean>`EXISTS (SELECT 1 FROM follow_up f JOIN follow_up_participant p ON p.tenant_id = f.tenant_id AND p.follow_up_id = f.id
        WHERE f.tenant_id = r.tenant_id AND f.visit_report_id = r.id AND p.user_id = ${filter.participantId})`,
    );
  }
  return base;
}

/** A report with its author's name, comments (newest first) and read receipts (first reader first). */
export interface ReportWithActivity extends VisitReport {
  author_name: string;
  comments: { id: Id; user_id: Id; user_name: string; content: string; created_at: Date }[];
  reads: { user_id: Id; user_name: string; read_at: Date }[];
}

interface ActivityJson {
  comments: { id: Id; user_id: Id; user_name: string; content: string; created_ms: number }[];
  reads: { user_id: Id; user_name: string; read_ms: number }[];
}

/**
 * One page (newest first) of the filtered reports with their authors' names, comments and read
 * receipts, in a single statement. The page is cut first (visit_report_recent serves the order),
 * and only its rows get the nested arrays, so a deep offset does not build them for skipped rows.
 * Inside JSON, ids travel as text and times as epoch milliseconds: no int64 meets a double.
 */
export async function reportsWithActivity(
  executor: Executor,
  filtered: ReturnType<typeof filteredReports>,
  offset: number,
  limit: number,
): Promise<ReportWithActivity[]> {
  const page = filtered.selectAll('r').orderBy('r.reported_at', 'desc').orderBy('r.id', 'desc').offset(offset).limit(limit);
  const rows = await executor
    .selectFrom(page.as('p'))
    .innerJoin('app_user as a', (j) => j.onRef('a.tenant_id', '=', 'p.tenant_id').onRef('a.id', '=', 'p.author_id'))
    .selectAll('p')
    .select('a.name as author_name')
    .select(
      sql<ActivityJson['comments']>`coalesce((SELECT json_agg(json_build_object('id', m.id::text, 'user_id', m.user_id::text, 'user_name', u.name, 'content', m.content,
          'created_ms', (extract(epoch FROM m.created_at) * 1000)::bigint) ORDER BY m.id DESC)
        FROM visit_report_comment m JOIN app_user u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
        WHERE m.tenant_id = p.tenant_id AND m.report_id = p.id), '[]'::json)`.as('comments'),
    )
    .select(
      sql<ActivityJson['reads']>`coalesce((SELECT json_agg(json_build_object('user_id', v.user_id::text, 'user_name', u.name,
          'read_ms', (extract(epoch FROM v.read_at) * 1000)::bigint) ORDER BY v.read_at, v.user_id)
        FROM visit_report_read v JOIN app_user u ON u.tenant_id = v.tenant_id AND u.id = v.user_id
        WHERE v.tenant_id = p.tenant_id AND v.report_id = p.id), '[]'::json)`.as('reads'),
    )
    .orderBy('p.reported_at', 'desc')
    .orderBy('p.id', 'desc')
    .execute();
  return rows.map((row) => ({
    ...(row as unknown as VisitReport),
    author_name: row.author_name,
    comments: row.comments.map(({ created_ms, ...c }) => ({ ...c, created_at: new Date(Number(created_ms)) })),
    reads: row.reads.map(({ read_ms, ...v }) => ({ ...v, read_at: new Date(Number(read_ms)) })),
  }));
}
