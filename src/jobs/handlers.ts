import { contactPlanRemindJob } from '../core/notifications/reminders.ts';
import { poolNoticeJob, poolRecycleJob } from '../core/pool/pool.jobs.ts';
import { smsSendJob } from '../core/sms/sms.jobs.ts';
import { webhookDeliverJob, webhookDispatchJob } from '../core/webhooks/webhooks.jobs.ts';
import type { JobHandler } from './types.ts';

/**
 * Every job kind the runner knows, by kind. A kind listed here also gets its default schedule
 * (DEFAULT_SCHEDULES and GLOBAL_SCHEDULES in scheduler.ts) when it has one.
 */
export function buildHandlers(): Record<string, JobHandler> {
  return {
    'pool.recycle': poolRecycleJob,
    'pool.notice': poolNoticeJob,
    'contact_plan.remind': contactPlanRemindJob,
    'webhook.dispatch': webhookDispatchJob,
    'webhook.deliver': webhookDeliverJob,
    'sms.send': smsSendJob,
  };
}
