import { SMS_SCHEDULES } from '../../../core/sms/sms.types.ts';
import { invalidParameter } from '../errors.ts';
import { handler } from '../handler.ts';

const CALL_FIELDS = {
  phone: 'tel',
  userId: 'userID',
  startedAt: 'startTime',
  endedAt: 'endTime',
  durationSeconds: 'duration',
  billingNumber: 'ims',
  remark: 'remark',
};

/** callType 1 来电 (incoming), 2 去电 (outgoing). */
const direction = (code: 1 | 2) => (code === 1 ? 'in' : 'out') as 'in' | 'out';

/** Call logs, IMS billing-number locks and template SMS (Customer/… handlers of the telephony side). */
export const callHandlers = [
  handler({
    module: 'Customer',
    action: 'AddCallHistory',
    refusal: false,
    fields: CALL_FIELDS,
    // Matched to a customer by phone where one has the number. userName is accepted and not stored: the user comes from userID.
    async run({ p, ctx, services }) {
      const answered = p.code('callState', [0, 1] as const) === 1;
      const phone = p.string('tel', { max: 50 });
      const userId = p.id('userID', '用户');
      const remark = p.optionalString('remark', { max: 2000 }) ?? null;
      const callType = p.code('callType', [1, 2] as const);
      const startedAt = p.dateTime('startTime');
      const endedAt = p.dateTime('endTime');
      const recorded = p.code('record', [0, 1] as const) === 1;
      const durationSeconds = p.int32('duration', { min: 0 });
      const billingNumber = p.string('ims', { max: 50 });
      p.string('userName', { max: 100 });
      await services.calls.create(ctx, { phone, direction: direction(callType), answered, startedAt, endedAt, durationSeconds, recorded, billingNumber, userId, remark });
      return true;
    },
  }),
  handler({
    module: 'Customer',
    action: 'UpdateCallHistory',
    refusal: false,
    fields: { phone: 'sCallNumber', startedAt: 'dCallTime', endedAt: 'endTime', durationSeconds: 'duration', billingNumber: 'teleIms', displayNumber: 'displayTel' },
    // The call is found by number (sCallNumber) and start time (dCallTime): the newest such call the caller can see.
    // addUserName is accepted and not stored.
    async run({ p, ctx, services }) {
      const phone = p.string('sCallNumber', { max: 50 });
      const startedAt = p.dateTime('dCallTime');
      const answered = p.code('bCallState', [0, 1] as const) === 1;
      const callType = p.code('callType', [1, 2] as const);
      const billingNumber = p.string('teleIms', { max: 50 });
      const displayNumber = p.string('displayTel', { max: 50 });
      const endedAt = p.dateTime('endTime');
      const recorded = p.code('record', [0, 1] as const) === 1;
      const durationSeconds = p.int32('duration', { min: 0 });
      p.string('addUserName', { max: 100 });
      await services.calls.updateByCall(ctx, { phone, startedAt }, { answered, direction: direction(callType), billingNumber, displayNumber, endedAt, recorded, durationSeconds });
      return true;
    },
  }),
  handler({
    module: 'Customer',
    action: 'IMSLock',
    refusal: false,
    fields: { billingNumber: 'ims', userId: 'userID' },
    // One user holds a number; locking a number another user holds is error 1005 naming the holder. Locking it again is fine.
    async run({ p, ctx, services }) {
      const userId = p.id('userID', '用户');
      const billingNumber = p.string('ims', { max: 50 });
      await services.numberLocks.lock(ctx, { billingNumber, userId });
      return true;
    },
  }),
  handler({
    module: 'Customer',
    action: 'UnIMSLock',
    refusal: false,
    fields: { billingNumber: 'ims' },
    async run({ p, ctx, services }) {
      await services.numberLocks.unlock(ctx, p.string('ims', { max: 50 }));
      return true;
    },
  }),
  handler({
    module: 'Customer',
    action: 'InsertSms',
    refusal: false,
    fields: {
      senderId: 'senderID', mobile: 'mobilePhone', receiverName: 'receiveName', sendAt: 'sendDate', content: 'content',
      templateId: 'messageTempleID', schedule: 'sendType', remark: 'remark',
    },
    // With a template (messageTempleID ≠ 0) the text is the template with {value1}…{value6} filled in and
    // content is kept only as given; messageTempleID 0 sends content as it is.
    async run({ p, ctx, services }) {
      const senderId = p.id('senderID', '用户');
      const mobile = p.string('mobilePhone', { max: 50 });
      const receiverName = p.optionalString('receiveName', { max: 100 }) ?? null;
      const sendAt = p.dateTime('sendDate');
      const content = p.string('content', { max: 2000 });
      const sendType = p.code('sendType', [0, 1, 2, 3, 4, 5] as const);
      const templateText = p.string('messageTempleID', { max: 20 }).trim();
      if (!/^\d{1,10}$/.test(templateText) || Number(templateText) > 2_147_483_647) throw invalidParameter('messageTempleID', '必须是模板 id (Int32 数字)');
      const templateId = Number(templateText) === 0 ? null : String(Number(templateText));
      const values = [1, 2, 3, 4, 5, 6].map((n) => p.optionalString(`value${n}`, { max: 500 }) ?? null);
      const remark = p.optionalString('remark', { max: 2000 }) ?? null;
      await services.sms.send(ctx, { senderId, mobile, receiverName, sendAt, content, templateId, values, schedule: SMS_SCHEDULES[sendType], remark });
      return true;
    },
  }),
];
