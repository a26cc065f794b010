import type { JobHandler } from '../../jobs/types.ts';

/**
 * `sms.send`: makes one planned sending of a message (payload messageId, occurrenceAt) and plans
 * the next one of a recurring message. A stale job (cancelled message, sending already made) is
 * a no-op.
 */
export const smsSendJob: JobHandler = async (job, { services, clock }) => {
  const { messageId, occurrenceAt } = job.payload;
  if (job.tenantId === null || typeof messageId !== 'string' || typeof occurrenceAt !== 'string') return;
  const at = new Date(occurrenceAt);
  if (Number.isNaN(at.getTime())) return;
  await services.sms.runSending(job.tenantId, messageId, at, clock);
};
