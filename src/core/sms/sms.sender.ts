import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';

/** One sending of a message. */
export interface SmsSending {
  tenantId: Id;
  messageId: Id;
  mobile: string;
  text: string;
  /** The planned time of this sending; a sending is recorded once per message and time. */
  occurrenceAt: Date;
  sentAt: Date;
}

/**
 * Hands a sending over to the SMS gateway. It is called inside the transaction that decides the
 * sending, so an implementation that talks to a network must only record it there (an outbox)
 * and deliver after commit (STYLE.md rule 7).
 */
export interface SmsSender {
  send(executor: Executor, sending: SmsSending): Promise<void>;
}

/** The default: no network; each sending is recorded as sent in sms_outbox with its text. */
export const outboxSmsSender: SmsSender = {
  async send(executor, sending) {
    await executor
      .insertInto('sms_outbox')
      .values({
        tenant_id: sending.tenantId,
        message_id: sending.messageId,
        mobile: sending.mobile,
        text: sending.text,
        occurrence_at: sending.occurrenceAt,
        status: 'sent',
        sent_at: sending.sentAt,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'message_id', 'occurrence_at']).doNothing())
      .execute();
  },
};
