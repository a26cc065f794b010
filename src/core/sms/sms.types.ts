import type { Id, SmsMessage, SmsOutboxEntry, SmsTemplate } from '../../db/schema.ts';
import type { PageRequest } from '../shared/pagination.ts';

/** When a message goes out; the index is seed 004's sendType (0 立即发送 … 5 每年发送). */
export type SmsSchedule = 'immediate' | 'once' | 'daily' | 'weekly' | 'monthly' | 'yearly';
export const SMS_SCHEDULES: readonly SmsSchedule[] = ['immediate', 'once', 'daily', 'weekly', 'monthly', 'yearly'];

export type SmsStatus = 'scheduled' | 'sent' | 'cancelled';
export const SMS_STATUSES: readonly SmsStatus[] = ['scheduled', 'sent', 'cancelled'];

/** Values substituted for {value1} … {value6}. */
export const SMS_VALUE_COUNT = 6;

export type SmsTemplateView = SmsTemplate;

export interface SmsTemplateInput {
  name?: string | undefined;
  /** Text with placeholders {value1} … {value6}. */
  content?: string | undefined;
}

export interface SmsMessageView extends SmsMessage {
  sender_name: string;
}

export type SmsDeliveryView = SmsOutboxEntry;

export interface SmsInput {
  /** Who sends it (发信人); default: the caller. */
  senderId?: Id | undefined;
  mobile: string;
  receiverName?: string | null | undefined;
  /** When to send (once) or the first sending (recurring); default now. Ignored for immediate. */
  sendAt?: Date | undefined;
  /** The text, when no template is given (placeholders are substituted in it too). */
  content?: string | null | undefined;
  /** A template of the tenant; its content, with the values substituted, is the text sent. */
  templateId?: Id | null | undefined;
  /** value1 … value6, in order; null or absent for an unused one. */
  values?: readonly (string | null | undefined)[] | undefined;
  /** Default immediate. */
  schedule?: SmsSchedule | undefined;
  remark?: string | null | undefined;
}

export interface SmsMessageQuery {
  status?: SmsStatus | undefined;
  senderId?: Id | undefined;
  mobile?: string | undefined;
}

export interface SmsMessageFilter extends PageRequest, SmsMessageQuery {}
