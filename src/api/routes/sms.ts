import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page, PageQuery } from '../schemas/common.ts';
import {
  CreateSmsMessageBody,
  CreateSmsTemplateBody,
  renderSmsDelivery,
  renderSmsMessage,
  renderSmsTemplate,
  SmsDeliverySchema,
  SmsMessageListQuery,
  SmsMessageSchema,
  SmsTemplateSchema,
  UpdateSmsTemplateBody,
} from '../schemas/sms.ts';
import type { RoutePlugin } from '../types.ts';

const PageOnly = Type.Object(PageQuery, { additionalProperties: false });

export const smsRoutes: RoutePlugin = async (app, { services }) => {
  const templates = ['sms templates'];
  const messages = ['sms messages'];

  app.get(
    '/sms-templates',
    { schema: { tags: templates, summary: 'List SMS templates', querystring: PageOnly, response: { 200: Page(SmsTemplateSchema, 'SMS templates'), ...errorResponses } } },
    async (request) => {
      const page = await services.sms.listTemplates(request.ctx, request.query);
      return { items: page.items.map((t) => renderSmsTemplate(request.ctx, t)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/sms-templates',
    { schema: { tags: templates, summary: 'Create an SMS template', body: CreateSmsTemplateBody, response: { 201: SmsTemplateSchema, ...errorResponses } } },
    async (request, reply) => {
      const template = await services.sms.createTemplate(request.ctx, request.body);
      reply.code(201).header('location', `/api/v1/sms-templates/${template.id}`);
      return withEtag(reply, renderSmsTemplate(request.ctx, template));
    },
  );

  app.get(
    '/sms-templates/:id',
    { schema: { tags: templates, summary: 'Get an SMS template', params: IdParams, response: { 200: SmsTemplateSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderSmsTemplate(request.ctx, await services.sms.getTemplate(request.ctx, request.params.id))),
  );

  app.patch(
    '/sms-templates/:id',
    {
      schema: {
        tags: templates,
        summary: 'Change an SMS template',
        description: 'Messages already made from it keep their text.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateSmsTemplateBody,
        response: { 200: SmsTemplateSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      withEtag(reply, renderSmsTemplate(request.ctx, await services.sms.updateTemplate(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete(
    '/sms-templates/:id',
    { schema: { tags: templates, summary: 'Delete an SMS template', description: 'Messages made from it keep their text and lose the link.', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.sms.deleteTemplate(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/sms-messages',
    {
      schema: {
        tags: messages,
        summary: 'List SMS messages',
        description: 'Your own (as sender or creator); all of them with data scope all. Newest first.',
        querystring: SmsMessageListQuery,
        response: { 200: Page(SmsMessageSchema, 'SMS messages'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.sms.listMessages(request.ctx, request.query);
      return { items: page.items.map((m) => renderSmsMessage(request.ctx, m)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/sms-messages',
    {
      schema: {
        tags: messages,
        summary: 'Send or schedule an SMS',
        description:
          'immediate: sent at once (recorded in the outbox in the same transaction). once: sent by the job runner at sendAt. daily / weekly / monthly / yearly: first at sendAt, then at the same local time (monthly and yearly keep the day, or the month\'s last day); sendings missed while no job ran are skipped.',
        body: CreateSmsMessageBody,
        response: { 201: SmsMessageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { sendAt, ...rest } = request.body;
      const message = await services.sms.send(request.ctx, { ...rest, sendAt: sendAt === undefined ? undefined : new Date(sendAt) });
      reply.code(201).header('location', `/api/v1/sms-messages/${message.id}`);
      return renderSmsMessage(request.ctx, message);
    },
  );

  app.get(
    '/sms-messages/:id',
    { schema: { tags: messages, summary: 'Get an SMS message', params: IdParams, response: { 200: SmsMessageSchema, ...errorResponses } } },
    async (request) => renderSmsMessage(request.ctx, await services.sms.getMessage(request.ctx, request.params.id)),
  );

  app.post(
    '/sms-messages/:id/cancel',
    {
      schema: {
        tags: messages,
        summary: 'Cancel a scheduled or recurring SMS',
        description: '409 sms_message_finished when it is already sent or cancelled. Sendings already made stay.',
        params: IdParams,
        response: { 200: SmsMessageSchema, ...errorResponses },
      },
    },
    async (request) => renderSmsMessage(request.ctx, await services.sms.cancelMessage(request.ctx, request.params.id)),
  );

  app.get(
    '/sms-messages/:id/deliveries',
    {
      schema: {
        tags: messages,
        summary: 'The sendings of an SMS message',
        description: 'One per sending made (the SMS outbox), oldest first.',
        params: IdParams,
        querystring: PageOnly,
        response: { 200: Page(SmsDeliverySchema, 'sendings'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.sms.listDeliveries(request.ctx, request.params.id, request.query);
      return { items: page.items.map((d) => renderSmsDelivery(request.ctx, d)), nextCursor: page.nextCursor };
    },
  );
};
