import type { FollowUpView } from '../../core/follow-ups/follow-ups.service.ts';
import { localDateTime } from '../../core/shared/time.ts';
import type { ReportWithActivity } from '../../core/visit-reports/visit-reports.service.ts';
import { rawNumber, rawNumberOrNull } from '../shared/json.ts';

/** Core views → seed 001's JSON (ids and amounts as exact numbers, times local to the tenant). */

export function renderReport(r: ReportWithActivity, timeZone: string) {
  const time = (d: Date) => localDateTime(d, timeZone);
  return {
    id: rawNumber(r.id),
    user_id: rawNumber(r.author_id),
    type: r.kind,
    recordTime: time(r.reported_at),
    title: r.title,
    effect: r.effect,
    problems: r.problems,
    suggestion: r.suggestion,
    workplan: r.work_plan,
    createTime: time(r.created_at),
    updateTime: time(r.updated_at),
    status: r.status,
    note: r.note,
    user_name: r.author_name,
    comment: r.comments.map((c) => ({ id: rawNumber(c.id), user_id: rawNumber(c.user_id), createTime: time(c.created_at), content: c.content, user_name: c.user_name })),
    reading: r.reads.map((v) => ({ user_id: rawNumber(v.user_id), createTime: time(v.read_at), username: v.user_name })),
  };
}

export function renderFollowRecord(f: FollowUpView, timeZone: string) {
  const time = (d: Date) => localDateTime(d, timeZone);
  return {
    id: rawNumber(f.id),
    follow_id: rawNumber(f.id),
    protent_id: rawNumberOrNull(f.visit_report_id),
    customers_id: f.contact_ids.map((id) => rawNumber(id)),
    organization_id: rawNumber(f.customer_id),
    organization_name: f.customer_name,
    follower_id: f.participant_ids.map((id) => rawNumber(id)),
    user_id: rawNumber(f.user_id),
    user_name: f.user_name,
    record_time: time(f.followed_at),
    event: f.event?.code ?? null,
    event_name: f.event?.name ?? null,
    gain: f.content,
    event_attach: f.attachments.find((a) => a.url !== null)?.url ?? null,
    event_note: f.note,
    cost: rawNumberOrNull(f.cost),
    cost_note: f.cost_note,
    createTime: time(f.created_at),
    updateTime: time(f.updated_at),
  };
}

export const pageInfo = (total: number, page: number, count: number) => ({ total, page, count });
