import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import { CustomerFollowUpListQuery, followUpFilter, FollowUpPage, renderFollowUp } from '../schemas/follow-ups.ts';
import {
  CommentBody,
  CommentListQuery,
  CommentSchema,
  CreateVisitReportBody,
  ReadSchema,
  renderComment,
  renderRead,
  renderVisitReport,
  UpdateVisitReportBody,
  VisitReportListQuery,
  VisitReportSchema,
} from '../schemas/visit-reports.ts';
import type { RoutePlugin } from '../types.ts';

const ReportPage = Type.Intersect([Page(VisitReportSchema, 'visit reports'), Type.Object({ total: Type.Optional(Type.Integer({ description: 'All matches, when withTotal was asked' })) })]);
const date = (value: string | undefined) => (value ? new Date(value) : undefined);

export const visitReportRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['visit-reports'];

  app.get(
    '/visit-reports',
    {
      schema: {
        tags,
        summary: 'List visit reports visible to the caller',
        description: "Newest first. The role's data scope applies to the author: own reports, the department's, the department tree's, or all.",
        querystring: VisitReportListQuery,
        response: { 200: ReportPage, ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.visitReports.list(request.ctx, { ...request.query, from: date(request.query.from), to: date(request.query.to) });
      return { items: page.items.map((r) => renderVisitReport(request.ctx, r)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.post('/visit-reports', { schema: { tags, summary: 'Write a visit report', body: CreateVisitReportBody, response: { 201: VisitReportSchema, ...errorResponses } } }, async (request, reply) => {
    const { reportedAt, ...rest } = request.body;
    const report = await services.visitReports.create(request.ctx, { ...rest, reportedAt: date(reportedAt) });
    reply.code(201).header('location', `/api/v1/visit-reports/${report.id}`);
    return withEtag(reply, renderVisitReport(request.ctx, report));
  });

  app.get(
    '/visit-reports/:id',
    { schema: { tags, summary: 'Open a visit report', description: 'Records a read receipt when the caller is not the author (once per user).', params: IdParams, response: { 200: VisitReportSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderVisitReport(request.ctx, await services.visitReports.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/visit-reports/:id',
    { schema: { tags, summary: 'Change a visit report', params: IdParams, headers: IfMatchHeaders, body: UpdateVisitReportBody, response: { 200: VisitReportSchema, ...errorResponses } } },
    async (request, reply) => {
      const { reportedAt, ...rest } = request.body;
      const report = await services.visitReports.update(request.ctx, request.params.id, { ...rest, reportedAt: date(reportedAt) }, expectedVersion(request));
      return withEtag(reply, renderVisitReport(request.ctx, report));
    },
  );

  app.delete(
    '/visit-reports/:id',
    { schema: { tags, summary: 'Delete a visit report that holds no follow-ups (409 otherwise)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.visitReports.delete(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/visit-reports/:id/follow-ups',
    { schema: { tags, summary: 'The follow-ups a visit report holds', params: IdParams, querystring: CustomerFollowUpListQuery, response: { 200: FollowUpPage, ...errorResponses } } },
    async (request) => {
      const page = await services.visitReports.listFollowUps(request.ctx, request.params.id, followUpFilter(request.query));
      return { items: page.items.map((f) => renderFollowUp(request.ctx, f)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.get(
    '/visit-reports/:id/comments',
    { schema: { tags, summary: 'Comments on a visit report, newest first', params: IdParams, querystring: CommentListQuery, response: { 200: Page(CommentSchema, 'comments'), ...errorResponses } } },
    async (request) => {
      const page = await services.visitReports.listComments(request.ctx, request.params.id, request.query);
      return { items: page.items.map((c) => renderComment(request.ctx, c)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/visit-reports/:id/comments',
    { schema: { tags, summary: 'Comment on a visit report', params: IdParams, body: CommentBody, response: { 201: CommentSchema, ...errorResponses } } },
    async (request, reply) => {
      const comment = await services.visitReports.addComment(request.ctx, request.params.id, request.body);
      reply.code(201).header('location', `/api/v1/visit-reports/${request.params.id}/comments`);
      return renderComment(request.ctx, comment);
    },
  );

  app.get(
    '/visit-reports/:id/reads',
    { schema: { tags, summary: 'Who has opened the report (read receipts), first reader first', params: IdParams, response: { 200: Type.Object({ items: Type.Array(ReadSchema) }), ...errorResponses } } },
    async (request) => ({ items: (await services.visitReports.listReads(request.ctx, request.params.id)).map((r) => renderRead(request.ctx, r)) }),
  );
};
