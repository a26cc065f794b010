import { Type } from 'typebox';
import type { TimelineKind } from '../../core/timeline/timeline.service.ts';
import { errorResponses, IdParams, Page, PageQuery } from '../schemas/common.ts';
import {
  AddHitsBody,
  CreatePublishedItemBody,
  CreateSiteKeyBody,
  IssuedSiteKeySchema,
  MessageBoardEntrySchema,
  MessageBoardListQuery,
  PublishedItemSchema,
  renderMessageBoardEntry,
  renderPublishedItem,
  renderSiteKey,
  renderTimelineEntry,
  SiteKeyListQuery,
  SiteKeySchema,
  TimelineEntrySchema,
  TimelineQuery,
} from '../schemas/ecommerce.ts';
import type { RoutePlugin } from '../types.ts';

const PageOnly = Type.Object(PageQuery, { additionalProperties: false });

export const siteKeyRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['site keys'];

  app.get(
    '/site-keys',
    { schema: { tags, summary: 'List site keys (tenant:manage)', querystring: SiteKeyListQuery, response: { 200: Page(SiteKeySchema, 'site keys'), ...errorResponses } } },
    async (request) => {
      const page = await services.siteKeys.list(request.ctx, request.query);
      return { items: page.items.map((k) => renderSiteKey(request.ctx, k)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/site-keys',
    {
      config: { issuesSecret: true },
      schema: {
        tags,
        summary: 'Create a site key (tenant:manage); the answer is the only time it is shown',
        description: "A site key authenticates the tenant's website to seed 004's ECommerce handlers (`siteKey` parameter). Only its hash is stored.",
        body: CreateSiteKeyBody,
        response: { 201: IssuedSiteKeySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await services.siteKeys.create(request.ctx, request.body);
      reply.code(201);
      return { key: created.key, siteKey: renderSiteKey(request.ctx, created.siteKey) };
    },
  );

  app.delete(
    '/site-keys/:id',
    { schema: { tags, summary: 'Revoke a site key (tenant:manage)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.siteKeys.revoke(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
};

export const ecommerceRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['website'];

  app.get(
    '/published-items',
    { schema: { tags, summary: 'List published items with their view counts', querystring: PageOnly, response: { 200: Page(PublishedItemSchema, 'published items'), ...errorResponses } } },
    async (request) => {
      const page = await services.ecommerce.listItems(request.ctx, request.query);
      return { items: page.items.map((i) => renderPublishedItem(request.ctx, i)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/published-items',
    { schema: { tags, summary: 'Create a published item (基础信息)', body: CreatePublishedItemBody, response: { 201: PublishedItemSchema, ...errorResponses } } },
    async (request, reply) => {
      const item = await services.ecommerce.createItem(request.ctx, request.body);
      reply.code(201).header('location', `/api/v1/published-items/${item.id}`);
      return renderPublishedItem(request.ctx, item);
    },
  );

  app.get(
    '/published-items/:id',
    { schema: { tags, summary: 'Get a published item', params: IdParams, response: { 200: PublishedItemSchema, ...errorResponses } } },
    async (request) => renderPublishedItem(request.ctx, await services.ecommerce.getItem(request.ctx, request.params.id)),
  );

  app.post(
    '/published-items/:id/hits',
    {
      schema: {
        tags,
        summary: "Add views to an item's counter",
        description: 'What seed 004 UpdateBaseInfoHit does with a site key.',
        params: IdParams,
        body: AddHitsBody,
        response: { 200: PublishedItemSchema, ...errorResponses },
      },
    },
    async (request) => renderPublishedItem(request.ctx, await services.ecommerce.addHits(request.ctx, request.params.id, request.body.addHit)),
  );

  app.get(
    '/message-board-entries',
    {
      schema: {
        tags,
        summary: 'List website messages (留言反馈)',
        description: 'Messages about customers the caller can see, newest first. They arrive through seed 004 AddMessageBoard (with a site key); each notifies the customer\'s owner.',
        querystring: MessageBoardListQuery,
        response: { 200: Page(MessageBoardEntrySchema, 'website messages'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.ecommerce.listMessages(request.ctx, request.query);
      return { items: page.items.map((m) => renderMessageBoardEntry(request.ctx, m)), nextCursor: page.nextCursor };
    },
  );
};

export const timelineRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/customers/:id/timeline',
    {
      schema: {
        tags: ['customers'],
        summary: "A customer's timeline (客户动态)",
        description: 'Its follow-ups, calls, website messages and contracts, newest first. Contracts appear at their audit time, drafts at their creation.',
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: Page(TimelineEntrySchema, 'timeline entries'), ...errorResponses },
      },
    },
    async (request) => {
      const { kinds, ...rest } = request.query;
      // The service refuses unknown kinds, naming the field.
      const page = await services.timeline.list(request.ctx, request.params.id, { ...rest, kinds: kinds?.split(',') as TimelineKind[] | undefined });
      return { items: page.items.map((e) => renderTimelineEntry(request.ctx, e)), nextCursor: page.nextCursor };
    },
  );
};
