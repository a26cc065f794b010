import type { FastifyPluginAsync } from 'fastify';
import type { DialectOptions } from '../index.ts';
import { failure } from './errors.ts';
import { rawNumber } from '../shared/json.ts';
import { parseListQuery, parseWriteBody } from './parse.ts';
import { sendFailure, sendRecord } from './reply.ts';
import { pageInfo, renderFollowRecord, renderReport } from './render.ts';
import { createFollowRecord, updateFollowRecord } from './write.ts';

/** Not in the native API's OpenAPI document: this API is described by its seed and README. */
const hidden = { schema: { hide: true } };

export const recordRoutes: FastifyPluginAsync<DialectOptions> = async (app, { services, clock }) => {
  /** Visit reports of the window, or with protent_id the follow-ups one report holds. */
  app.get('/follow', hidden, async (request, reply) => {
    const ctx = request.recordCtx;
    const q = parseListQuery(request.query as Record<string, unknown>, ctx.tenant.timezone, clock.now());
    const paging = { offset: (q.page - 1) * q.count, limit: q.count, withTotal: true, from: q.from, to: q.to, customerId: q.customerId, participantId: q.followerId };
    if (q.reportId) {
      const page = await services.visitReports.listFollowUps(ctx, q.reportId, { ...paging, userId: q.directorId });
      const data = page.items.map((f) => renderFollowRecord(f, ctx.tenant.timezone));
      return sendRecord(reply, { status: 0, data, page_info: pageInfo(page.total ?? 0, q.page, q.count) });
    }
    const page = await services.visitReports.pageWithActivity(ctx, { ...paging, authorId: q.directorId });
    const data = page.items.map((r) => renderReport(r, ctx.tenant.timezone));
    return sendRecord(reply, { status: 0, data, page_info: pageInfo(page.total, q.page, q.count) });
  });

  /** Creates (protent_id) or updates (follow_id) a follow-up. */
  app.post('/follow', hidden, async (request, reply) => {
    const ctx = request.recordCtx;
    const write = parseWriteBody(request.body, ctx.tenant.timezone);
    const id = write.mode === 'create' ? await createFollowRecord(services, ctx, write) : await updateFollowRecord(services, ctx, write);
    return sendRecord(reply, { status: 0, msg: write.mode === 'create' ? '创建成功' : '修改成功', data: { id: rawNumber(id) } });
  });

  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: '/follow',
    config: { public: true },
    ...hidden,
    handler: (request, reply) => sendFailure(reply.header('allow', 'GET, HEAD, POST'), failure(`不支持的请求方法 ${request.method}：请用 GET 查询，POST 创建或修改`, 405)),
  });
};
