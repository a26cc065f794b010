import { Type } from 'typebox';
import { errorResponses, IdParams, Page } from '../schemas/common.ts';
import {
  CreateTagBody,
  FavouriteBody,
  FavouriteListQuery,
  FavouriteSchema,
  renderFavourite,
  renderShare,
  renderTag,
  ShareBody,
  ShareSchema,
  ShareUserParams,
  TagSchema,
  UnshareQuery,
  UpdateTagBody,
} from '../schemas/tags.ts';
import type { RoutePlugin } from '../types.ts';

export const tagRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['tags'];
  app.get('/tags', { schema: { tags, summary: 'All tags, by name', response: { 200: Type.Object({ items: Type.Array(TagSchema) }), ...errorResponses } } }, async (request) => ({
    items: (await services.tags.list(request.ctx)).map((t) => renderTag(request.ctx, t)),
  }));

  app.post('/tags', { schema: { tags, summary: 'Create a tag (needs dictionaries:manage)', body: CreateTagBody, response: { 201: TagSchema, ...errorResponses } } }, async (request, reply) => {
    const tag = await services.tags.create(request.ctx, request.body);
    reply.code(201).header('location', `${request.url}/${tag.id}`);
    return renderTag(request.ctx, tag);
  });

  app.get('/tags/:id', { schema: { tags, summary: 'Get a tag', params: IdParams, response: { 200: TagSchema, ...errorResponses } } }, async (request) =>
    renderTag(request.ctx, await services.tags.get(request.ctx, request.params.id)),
  );

  app.patch('/tags/:id', { schema: { tags, summary: 'Rename or recolour a tag (needs dictionaries:manage)', params: IdParams, body: UpdateTagBody, response: { 200: TagSchema, ...errorResponses } } }, async (request) =>
    renderTag(request.ctx, await services.tags.update(request.ctx, request.params.id, request.body)),
  );

  app.delete('/tags/:id', { schema: { tags, summary: 'Delete a tag, taking it off every customer (needs dictionaries:manage)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.tags.delete(request.ctx, request.params.id);
    return reply.code(204).send(null);
  });
};

export const shareRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['shares'];
  const Shares = Type.Object({ items: Type.Array(ShareSchema) });

  app.get('/customers/:id/shares', { schema: { tags, summary: 'Users the customer is shared with', params: IdParams, response: { 200: Shares, ...errorResponses } } }, async (request) => ({
    items: (await services.shares.list(request.ctx, request.params.id)).map((s) => renderShare(request.ctx, s)),
  }));

  app.post(
    '/customers/:id/shares',
    { schema: { tags, summary: 'Share the customer with users; answers all its shares', params: IdParams, body: ShareBody, response: { 200: Shares, ...errorResponses } } },
    async (request) => ({ items: (await services.shares.share(request.ctx, request.params.id, request.body.userIds)).map((s) => renderShare(request.ctx, s)) }),
  );

  app.delete(
    '/customers/:id/shares',
    { schema: { tags, summary: 'Take the customer back from the given users, or from everyone (取消共享)', params: IdParams, querystring: UnshareQuery, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.shares.unshare(request.ctx, request.params.id, request.query.userId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/customers/:id/shares/:userId',
    { schema: { tags, summary: 'Take the customer back from one user', params: ShareUserParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.shares.unshare(request.ctx, request.params.id, [request.params.userId]);
      return reply.code(204).send(null);
    },
  );
};

export const favouriteRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['favourites'];

  app.get('/favourites', { schema: { tags, summary: "The caller's favourite customers, most recently marked first", querystring: FavouriteListQuery, response: { 200: Page(FavouriteSchema, 'favourites'), ...errorResponses } } }, async (request) => {
    const page = await services.favourites.list(request.ctx, request.query);
    return { items: page.items.map((f) => renderFavourite(request.ctx, f)), nextCursor: page.nextCursor };
  });

  app.put(
    '/customers/:id/favourite',
    { schema: { tags, summary: 'Mark the customer as a favourite of the caller, or change its marker (收藏 / 设置收藏标识)', params: IdParams, body: FavouriteBody, response: { 200: FavouriteSchema, ...errorResponses } } },
    async (request) => renderFavourite(request.ctx, await services.favourites.set(request.ctx, request.params.id, request.body)),
  );

  app.delete('/customers/:id/favourite', { schema: { tags, summary: "Remove the customer from the caller's favourites (取消收藏)", params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.favourites.remove(request.ctx, [request.params.id]);
    return reply.code(204).send(null);
  });
};
