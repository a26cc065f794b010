import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../core/shared/context.ts';
import type { DialectOptions } from '../index.ts';
import { stringifyWithRawNumbers } from '../shared/json.ts';
import { renderCreated, renderRecord, renderRecordTypes, renderRow } from './render.ts';
import { parseCreate, parseDelete, parseListQuery, wireId } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    openApiV1Ctx: RequestContext;
  }
}

/** The seed's success envelope, rendered with exact int64 digits. */
export function sendOk(reply: FastifyReply, data: unknown) {
  return reply.code(200).type('application/json; charset=utf-8').send(stringifyWithRawNumbers({ code: 200, message: 'ok', data }));
}

const ctxOf = (request: FastifyRequest) => request.openApiV1Ctx;

/** Routes under /openapi/v1 (the plugin adds the prefix). Each: parse, one service call, render. */
export async function followUpRecordRoutes(app: FastifyInstance, { services }: DialectOptions) {
  app.get('/followupRecord/recordTypes', async (request, reply) => {
    const items = await services.dictionaries.listItems(ctxOf(request), 'follow_up_type');
    return sendOk(reply, renderRecordTypes(items));
  });

  app.post('/followupRecord', async (request, reply) => {
    const ctx = ctxOf(request);
    const input = parseCreate(request.body);
    const { typeId } = await services.followUps.idsForCodes(ctx, { typeCode: input.recordType });
    const created = await services.followUps.create(ctx, { customerId: input.customerId, opportunityId: input.opportunityId, typeId, content: input.content });
    return sendOk(reply, renderCreated(created.id));
  });

  app.get('/followupRecord/followupRecords', async (request, reply) => {
    const ctx = ctxOf(request);
    const page = await services.followUpDetails.list(ctx, parseListQuery(request.query, ctx.tenant.timezone));
    const { sheet } = page;
    return sendOk(reply, { cursor: page.nextCursor ?? '', total: page.total, rows: sheet.followUps.map((f) => renderRow(sheet, f)) });
  });

  app.get<{ Params: { record_id: string } }>('/followupRecord/:record_id', async (request, reply) => {
    const sheet = await services.followUpDetails.get(ctxOf(request), wireId(request.params.record_id, 'record_id'));
    return sendOk(reply, renderRecord(sheet, sheet.followUps[0]!, 'number'));
  });

  app.delete('/followupRecord', async (request, reply) => {
    await services.followUps.deleteMany(ctxOf(request), parseDelete(request.body));
    return sendOk(reply, []);
  });
}
