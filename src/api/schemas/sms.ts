import { Type, type Static } from 'typebox';
import type { SmsDeliveryView, SmsMessageView, SmsTemplateView } from '../../core/sms/sms.types.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Schedule = Type.Union(
  [Type.Literal('immediate'), Type.Literal('once'), Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly'), Type.Literal('yearly')],
  { description: 'immediate (立即发送), once at sendAt (一次发送), or from sendAt every day / week / month / year at the same local time (seed 004 sendType 0–5)' },
);
const MessageStatus = Type.Union([Type.Literal('scheduled'), Type.Literal('sent'), Type.Literal('cancelled')], {
  description: 'scheduled: sendings still due; sent: all made; cancelled: stopped',
});
const TemplateText = Type.String({ minLength: 1, maxLength: 1000, description: 'Text with placeholders {value1} … {value6}' });

export const CreateSmsTemplateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, description: 'Name (模板名称)' }), content: TemplateText },
  { additionalProperties: false },
);
export const UpdateSmsTemplateBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), content: Type.Optional(TemplateText) },
  { additionalProperties: false, minProperties: 1 },
);

export const SmsTemplateSchema = Type.Object(
  {
    id: Id(),
    name: Type.String(),
    content: Type.String({ description: 'Text with placeholders {value1} … {value6}' }),
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'An SMS template (短信模板)' },
);

export function renderSmsTemplate(ctx: Zoned, t: SmsTemplateView): Static<typeof SmsTemplateSchema> {
  return {
    id: t.id,
    name: t.name,
    content: t.content,
    createdBy: t.created_by,
    updatedBy: t.updated_by,
    version: t.version,
    createdAt: time(ctx, t.created_at),
    updatedAt: time(ctx, t.updated_at),
  };
}

export const CreateSmsMessageBody = Type.Object(
  {
    senderId: Type.Optional(Id('Who sends it (发信人); default: the caller')),
    mobile: Type.String({ minLength: 3, maxLength: 30, description: 'Mobile number (手机号码)' }),
    receiverName: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'Receiver (收信人)' }))),
    sendAt: Type.Optional(Type.String({ format: 'date-time', description: 'When to send, or the first sending of a recurring message; default now; ignored for immediate' })),
    content: Type.Optional(Nullable(Type.String({ maxLength: 1000, description: 'The text, when no template is given; placeholders are substituted in it too' }))),
    templateId: Type.Optional(Nullable(Id('A template (模板); its text, with the values substituted, is sent and content is ignored'))),
    values: Type.Optional(
      Type.Array(Nullable(Type.String({ maxLength: 200 })), { maxItems: 6, description: 'value1 … value6 (替换值), in order; a placeholder whose value is missing is refused (422 sms_value_missing)' }),
    ),
    schedule: Type.Optional(Schedule),
    remark: Type.Optional(Nullable(Type.String({ maxLength: 1000, description: 'Remark (备注)' }))),
  },
  { additionalProperties: false },
);

export const SmsMessageListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(MessageStatus),
    senderId: Type.Optional(Id()),
    mobile: Type.Optional(Type.String({ minLength: 3, maxLength: 30 })),
  },
  { additionalProperties: false },
);

export const SmsMessageSchema = Type.Object(
  {
    id: Id(),
    senderId: Id(),
    senderName: Type.String(),
    mobile: Type.String({ description: 'Digits only' }),
    receiverName: Nullable(Type.String()),
    templateId: Nullable(Id('The template it was made from; null when none or deleted since')),
    values: Type.Array(Type.String(), { description: 'value1 … value6 as given' }),
    content: Type.String({ description: 'The text as sent' }),
    schedule: Schedule,
    sendAt: Timestamp('When it is (or was first) sent'),
    nextSendAt: Nullable(Timestamp('The next sending still due')),
    status: MessageStatus,
    sentCount: Type.Integer({ description: 'Sendings made so far' }),
    remark: Nullable(Type.String()),
    createdBy: Nullable(Id()),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'An SMS message (短信)' },
);

export function renderSmsMessage(ctx: Zoned, m: SmsMessageView): Static<typeof SmsMessageSchema> {
  return {
    id: m.id,
    senderId: m.sender_id,
    senderName: m.sender_name,
    mobile: m.mobile,
    receiverName: m.receiver_name,
    templateId: m.template_id,
    values: m.template_values,
    content: m.content,
    schedule: m.schedule,
    sendAt: time(ctx, m.send_at),
    nextSendAt: maybeTime(ctx, m.next_send_at),
    status: m.status,
    sentCount: m.sent_count,
    remark: m.remark,
    createdBy: m.created_by,
    createdAt: time(ctx, m.created_at),
    updatedAt: time(ctx, m.updated_at),
  };
}

export const SmsDeliverySchema = Type.Object(
  {
    id: Id(),
    messageId: Id(),
    mobile: Type.String(),
    text: Type.String({ description: 'The text handed to the gateway' }),
    occurrenceAt: Timestamp('The planned time of this sending'),
    sentAt: Timestamp('When it was handed over'),
    status: Type.Union([Type.Literal('sent'), Type.Literal('failed')]),
  },
  { description: 'One sending of a message (the SMS outbox)' },
);

export function renderSmsDelivery(ctx: Zoned, d: SmsDeliveryView): Static<typeof SmsDeliverySchema> {
  return {
    id: d.id,
    messageId: d.message_id,
    mobile: d.mobile,
    text: d.text,
    occurrenceAt: time(ctx, d.occurrence_at),
    sentAt: time(ctx, d.sent_at),
    status: d.status,
  };
}
