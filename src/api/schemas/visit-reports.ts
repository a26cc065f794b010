import { Type, type Static } from 'typebox';
import type { CommentView, ReadView, VisitReportView } from '../../core/visit-reports/visit-reports.service.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { time, type Zoned } from './render.ts';

const Text = (description: string) => Type.Optional(Nullable(Type.String({ maxLength: 10_000, description })));
const When = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }));
const SmallInt = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: 32767, description }));

const reportFields = {
  title: Type.String({ minLength: 1, maxLength: 200, description: 'Title, e.g. 2022.03.17-汪小嘉-' }),
  authorId: Type.Optional(Id('Author; default on create: the caller')),
  reportedAt: When('Time the report is about (拜访时间); default on create: now'),
  effect: Text('Effect of the visits (效果)'),
  problems: Text('Problems met (问题)'),
  suggestion: Text('Suggestions (建议)'),
  workPlan: Text('Work plan (工作计划)'),
  status: SmallInt('Status, as the client defines it (default 1)'),
  kind: SmallInt('Kind of report, as the client defines it (seed 001 `type`; default 1)'),
  note: Text('Note'),
};

export const CreateVisitReportBody = Type.Object(reportFields, { additionalProperties: false });
export const UpdateVisitReportBody = Type.Object({ ...reportFields, title: Type.Optional(reportFields.title) }, { additionalProperties: false, minProperties: 1 });

export const VisitReportSchema = Type.Object(
  {
    id: Id(),
    authorId: Id(),
    authorName: Type.String(),
    reportedAt: Timestamp('Time the report is about'),
    title: Type.String(),
    effect: Nullable(Type.String()),
    problems: Nullable(Type.String()),
    suggestion: Nullable(Type.String()),
    workPlan: Nullable(Type.String()),
    status: Type.Integer(),
    kind: Type.Integer(),
    note: Nullable(Type.String()),
    followUpCount: Type.Integer({ description: 'Follow-ups the report holds' }),
    commentCount: Type.Integer(),
    readCount: Type.Integer({ description: 'Users other than the author who have opened it' }),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A visit report (拜访记录): a summary holding the follow-ups of a round of visits' },
);

export const VisitReportListQuery = Type.Object(
  {
    ...PageQuery,
    authorId: Type.Optional(Id()),
    from: When('Reported at or after this time'),
    to: When('Reported before this time'),
    customerId: Type.Optional(Id('Reports holding a follow-up of this customer')),
    participantId: Type.Optional(Id('Reports holding a follow-up this user collaborated on')),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Title fragment' })),
    withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
  },
  { additionalProperties: false },
);

export const CommentBody = Type.Object({ content: Type.String({ minLength: 1, maxLength: 2000, description: 'The comment (评论)' }) }, { additionalProperties: false });

export const CommentSchema = Type.Object(
  { id: Id(), reportId: Id(), userId: Id(), userName: Type.String(), content: Type.String(), createdAt: Timestamp('Written') },
  { description: 'A comment on a visit report' },
);

export const ReadSchema = Type.Object(
  { userId: Id(), userName: Type.String(), readAt: Timestamp('First opened') },
  { description: 'A read receipt: a user other than the author opened the report' },
);

export const CommentListQuery = Type.Object(PageQuery, { additionalProperties: false });

export function renderVisitReport(ctx: Zoned, r: VisitReportView): Static<typeof VisitReportSchema> {
  return {
    id: r.id,
    authorId: r.author_id,
    authorName: r.author_name,
    reportedAt: time(ctx, r.reported_at),
    title: r.title,
    effect: r.effect,
    problems: r.problems,
    suggestion: r.suggestion,
    workPlan: r.work_plan,
    status: r.status,
    kind: r.kind,
    note: r.note,
    followUpCount: r.follow_up_count,
    commentCount: r.comment_count,
    readCount: r.read_count,
    version: r.version,
    createdAt: time(ctx, r.created_at),
    updatedAt: time(ctx, r.updated_at),
  };
}

export const renderComment = (ctx: Zoned, c: CommentView): Static<typeof CommentSchema> => ({
  id: c.id,
  reportId: c.report_id,
  userId: c.user_id,
  userName: c.user_name,
  content: c.content,
  createdAt: time(ctx, c.created_at),
});

export const renderRead = (ctx: Zoned, r: ReadView): Static<typeof ReadSchema> => ({ userId: r.user_id, userName: r.user_name, readAt: time(ctx, r.read_at) });
