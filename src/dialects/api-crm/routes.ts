import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import { sendAnswer, success } from './envelope.ts';
import { readRecord, renderRecord } from './render.ts';
import { FollowUpRecordBody } from './schemas.ts';

/** Seed 000's routes, in lower case (the server folds the /api/crm/ path's case). */
export const ROUTES = { updateFollowUp: '/updatefollowup' } as const;

export function crmRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: FollowUpRecordBody }>(ROUTES.updateFollowUp, { schema: { body: FollowUpRecordBody, hide: true } }, async (request, reply) => {
    const ctx = request.ctx;
    const { id, typeCode, changes } = readRecord(request.body, ctx.tenant.timezone);
    if (typeCode !== undefined) Object.assign(changes, await services.followUps.idsForCodes(ctx, { typeCode }));
    const followUp = await services.followUps.update(ctx, id, changes);
    return sendAnswer(request, reply, success(renderRecord(followUp)));
  });
}
