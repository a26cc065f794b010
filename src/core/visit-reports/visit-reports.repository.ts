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
