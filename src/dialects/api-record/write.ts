import type { AttachmentInput, FollowUpChanges } from '../../core/follow-ups/follow-ups.types.ts';
import type { Services } from '../../core/services.ts';
import type { RequestContext } from '../../core/shared/context.ts';
import type { Id } from '../../db/schema.ts';
import type { WriteRequest } from './parse.ts';

/**
 * A POST of seed 001 as core changes. The wire names the customer only through its contacts
 * (`customers_id`) and the event by its dictionary code, so both are looked up first; the core
 * write then checks everything again inside its own transaction.
 */
async function toChanges(services: Services, ctx: RequestContext, request: WriteRequest, attachments: () => Promise<AttachmentInput[] | undefined>): Promise<FollowUpChanges> {
  const changes: FollowUpChanges = {
    participantIds: request.participantIds,
    followedAt: request.followedAt,
    content: request.content,
    note: request.note,
    cost: request.cost,
    costNote: request.costNote,
  };
  if (request.contactIds?.length) {
    changes.customerId = await services.contacts.sharedCustomer(ctx, request.contactIds);
  }
  if (request.contactIds !== undefined) changes.contactIds = request.contactIds;
  if (request.eventCode === null) changes.eventId = null;
  else if (request.eventCode !== undefined) changes.eventId = (await services.followUps.idsForCodes(ctx, { eventCode: request.eventCode })).eventId;
  changes.attachments = await attachments();
  return changes;
}

export async function createFollowRecord(services: Services, ctx: RequestContext, request: WriteRequest): Promise<Id> {
  // The report first, so that a missing (or another tenant's) protent_id is what the answer names.
  await services.visitReports.get(ctx, request.id, { markRead: false });
  const changes = await toChanges(services, ctx, request, async () => (request.attachUrl ? [{ url: request.attachUrl }] : undefined));
  const created = await services.followUps.create(ctx, { ...changes, customerId: changes.customerId!, visitReportId: request.id });
  return created.id;
}

/**
 * `event_attach` names one URL: the follow-up's attachments become that one (kept when it is
 * already there, so its name and file survive), or none when it is sent empty.
 */
export async function updateFollowRecord(services: Services, ctx: RequestContext, request: WriteRequest): Promise<Id> {
  // Read first, so that a missing (or another tenant's) follow_id is what the answer names.
  const current = await services.followUps.get(ctx, request.id);
  const changes = await toChanges(services, ctx, request, async () => {
    if (request.attachUrl === undefined) return undefined;
    if (request.attachUrl === null) return [];
    const same = current.attachments.find((a) => a.url === request.attachUrl);
    return [same ? { id: same.id } : { url: request.attachUrl }];
  });
  // The wire has no opportunity: moving to another customer drops the old customer's one.
  const updated = await services.followUps.update(ctx, request.id, { ...changes, detachOnMove: true });
  return updated.id;
}
