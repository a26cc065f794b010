import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import {
  AuditEntrySchema,
  AuditQuery,
  CreateDictionaryItemBody,
  CreateTokenBody,
  DictionaryItemParams,
  DictionaryItemSchema,
  DictionaryItemsQuery,
  DictionaryParams,
  DictionarySchema,
  IssuedTokenSchema,
  renderAudit,
  renderDictionaryItem,
  renderToken,
  TokenListQuery,
  TokenSchema,
  UpdateDictionaryItemBody,
} from '../schemas/access.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import type { RoutePlugin } from '../types.ts';

export const tokenRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['tokens'];
  app.get('/tokens', { schema: { tags, summary: 'List API tokens (yours; everyone\'s with tokens:manage)', querystring: TokenListQuery, response: { 200: Page(TokenSchema, 'tokens'), ...errorResponses } } }, async (request) => {
    const page = await services.auth.listTokens(request.ctx, request.query);
    return { items: page.items.map((t) => renderToken(request.ctx, t)), nextCursor: page.nextCursor };
  });

  app.post('/tokens', { config: { issuesSecret: true }, schema: { tags, summary: 'Create an API token; the answer is the only time it is shown', body: CreateTokenBody, response: { 201: IssuedTokenSchema, ...errorResponses } } }, async (request, reply) => {
    const { expiresAt, ...rest } = request.body;
    const issued = await services.auth.createToken(request.ctx, { ...rest, ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}) });
    reply.code(201);
    return { token: issued.token, info: renderToken(request.ctx, issued.info) };
  });

  app.delete('/tokens/:id', { schema: { tags, summary: 'Revoke a token', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.auth.revokeToken(request.ctx, request.params.id);
    return reply.code(204).send(null);
  });
};

export const dictionaryRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['dictionaries'];
  app.get('/dictionaries', { schema: { tags, summary: 'The dictionaries a tenant has', response: { 200: Type.Object({ items: Type.Array(DictionarySchema) }), ...errorResponses } } }, async () => ({
    items: services.dictionaries.catalog(),
  }));

  app.get(
    '/dictionaries/:dict/items',
    { schema: { tags, summary: 'Items of a dictionary, in display order', params: DictionaryParams, querystring: DictionaryItemsQuery, response: { 200: Type.Object({ items: Type.Array(DictionaryItemSchema) }), ...errorResponses } } },
    async (request) => ({
      items: (await services.dictionaries.listItems(request.ctx, request.params.dict, request.query)).map((i) => renderDictionaryItem(request.ctx, i)),
    }),
  );

  app.post(
    '/dictionaries/:dict/items',
    { schema: { tags, summary: 'Add an item (needs dictionaries:manage)', params: DictionaryParams, body: CreateDictionaryItemBody, response: { 201: DictionaryItemSchema, ...errorResponses } } },
    async (request, reply) => {
      const item = await services.dictionaries.createItem(request.ctx, request.params.dict, request.body);
      reply.code(201).header('location', `${request.url}/${item.id}`);
      return withEtag(reply, renderDictionaryItem(request.ctx, item));
    },
  );

  app.get('/dictionaries/:dict/items/:id', { schema: { tags, summary: 'Get an item', params: DictionaryItemParams, response: { 200: DictionaryItemSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderDictionaryItem(request.ctx, await services.dictionaries.getItem(request.ctx, request.params.dict, request.params.id))),
  );

  app.patch(
    '/dictionaries/:dict/items/:id',
    {
      schema: {
        tags,
        summary: 'Change an item; codes are stable, so deactivate (isActive: false) instead of deleting',
        params: DictionaryItemParams,
        headers: IfMatchHeaders,
        body: UpdateDictionaryItemBody,
        response: { 200: DictionaryItemSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        renderDictionaryItem(request.ctx, await services.dictionaries.updateItem(request.ctx, request.params.dict, request.params.id, request.body, expectedVersion(request))),
      ),
  );
};

export const auditRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/audit-log',
    { schema: { tags: ['audit'], summary: 'The audit log, newest first (needs audit:read)', querystring: AuditQuery, response: { 200: Page(AuditEntrySchema, 'audit entries'), ...errorResponses } } },
    async (request) => {
      const page = await services.audit.list(request.ctx, request.query);
      return { items: page.items.map((e) => renderAudit(request.ctx, e)), nextCursor: page.nextCursor };
    },
  );
};
