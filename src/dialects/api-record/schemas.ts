import { type Static, Type } from 'typebox';

/**
 * The wire shapes of seed 001 (`/api/record/follow`). Ids and amounts are JSON numbers written
 * with their exact digits (json.ts); times are `YYYY-MM-DD HH:mm:ss` in the tenant's time zone.
 */

const Id = (description: string) => Type.Integer({ minimum: 1, description });
const LocalTime = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', description });
const Text = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const CommentSchema = Type.Object({
  id: Id('Comment id'),
  user_id: Id('Who wrote the comment'),
  createTime: LocalTime('When it was written'),
  content: Type.String({ description: 'The comment (评论)' }),
  user_name: Type.String({ description: "The commenter's name" }),
});

export const ReadingSchema = Type.Object({
  user_id: Id('Who opened the report'),
  createTime: LocalTime('When they first opened it'),
  username: Type.String({ description: "The reader's name (spelt `username` here, as the seed does)" }),
});

/** A visit report (大的拜访记录), as the seed's sample lists them. */
export const VisitReportSchema = Type.Object({
  id: Id('Visit report id (the protent_id of its follow-ups)'),
  user_id: Id('Author (负责人)'),
  type: Type.Integer({ description: 'Kind of report, a code the client defines (1 in the seed)' }),
  recordTime: LocalTime('Report time; start_time/end_time filter on it'),
  title: Type.String(),
  effect: Text('成效'),
  problems: Text('问题'),
  suggestion: Text('建议'),
  workplan: Text('工作计划'),
  createTime: LocalTime('Written at'),
  updateTime: LocalTime('Last changed at'),
  status: Type.Integer({ description: 'Status code the client defines (1 in the seed)' }),
  note: Text('备注'),
  user_name: Type.String({ description: "The author's name" }),
  comment: Type.Array(CommentSchema, { description: 'Comments, newest first' }),
  reading: Type.Array(ReadingSchema, { description: 'Read receipts, first reader first' }),
});

/** A follow-up under a report (小拜访记录), listed with protent_id: the POST fields, read back. */
export const FollowRecordSchema = Type.Object({
  id: Id('Follow-up id (the follow_id of an update)'),
  follow_id: Id('Same as id, under the name the POST takes'),
  protent_id: Type.Union([Id('The visit report holding it'), Type.Null()]),
  customers_id: Type.Array(Id('Contact id'), { description: 'Contacts followed up' }),
  organization_id: Id("The contacts' customer (客户单位)"),
  organization_name: Type.String({ description: "The customer's name" }),
  follower_id: Type.Array(Id('User id'), { description: 'Users who took part (协作人)' }),
  user_id: Id('Who wrote the follow-up'),
  user_name: Type.String(),
  record_time: LocalTime('拜访时间'),
  event: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Visit event code: 1 接入, 2 走访拜访, 3 电话拜访, 4 签约, 5 售后' }),
  event_name: Type.Union([Type.String(), Type.Null()]),
  gain: Type.String({ description: '这次跟进的收获 (the follow-up content)' }),
  event_attach: Text('Attachment URL (the first attachment that has one)'),
  event_note: Text('跟进备注'),
  cost: Type.Union([Type.Number(), Type.Null()], { description: 'Decimal amount, exact digits (e.g. 128.50)' }),
  cost_note: Text('费用支出说明'),
  createTime: LocalTime('Written at'),
  updateTime: LocalTime('Last changed at'),
});

export const PageInfoSchema = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'All matches' }),
  page: Type.Integer({ minimum: 1 }),
  count: Type.Integer({ minimum: 1, description: 'Page size used' }),
});

export const ReportListSchema = Type.Object({ status: Type.Literal(0), data: Type.Array(VisitReportSchema), page_info: PageInfoSchema });
export const FollowRecordListSchema = Type.Object({ status: Type.Literal(0), data: Type.Array(FollowRecordSchema), page_info: PageInfoSchema });

export const AckSchema = Type.Object({
  status: Type.Literal(0),
  msg: Type.Union([Type.Literal('创建成功'), Type.Literal('修改成功')]),
  data: Type.Object({ id: Id('The follow-up written (an addition to the seed, which shows only status and msg)') }),
});

export const FailureSchema = Type.Object({ status: Type.Literal(1), msg: Type.String({ description: 'What is wrong, naming the field' }) });

export type VisitReportWire = Static<typeof VisitReportSchema>;
export type FollowRecordWire = Static<typeof FollowRecordSchema>;

/** `count` above this is lowered to it: a page of reports carries all their comments and receipts. */
export const MAX_COUNT = 100;
export const DEFAULT_COUNT = 20;
/** Pages past this are refused: an offset that deep scans more rows than any client needs. */
export const MAX_PAGE = 10_000;
