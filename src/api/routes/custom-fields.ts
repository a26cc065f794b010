import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IfMatchHeaders } from '../schemas/common.ts';
import {
  CreateCustomFieldBody,
  CustomFieldSchema,
  ModuleIdParams,
  ModuleParams,
  moduleName,
  renderCustomField,
  UpdateCustomFieldBody,
} from '../schemas/custom-fields.ts';
import type { RoutePlugin } from '../types.ts';

export const customFieldRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['custom fields'];

  app.get(
    '/custom-fields/:module',
    { schema: { tags, summary: "A module's custom field definitions in display order, inactive ones included", params: ModuleParams, response: { 200: Type.Object({ items: Type.Array(CustomFieldSchema) }), ...errorResponses } } },
    async (request) => ({ items: (await services.customFields.list(request.ctx, moduleName(request.params.module))).map((f) => renderCustomField(request.ctx, f)) }),
  );

  app.post(
    '/custom-fields/:module',
    { schema: { tags, summary: 'Define a custom field (needs dictionaries:manage)', params: ModuleParams, body: CreateCustomFieldBody, response: { 201: CustomFieldSchema, ...errorResponses } } },
    async (request, reply) => {
      const field = await services.customFields.create(request.ctx, moduleName(request.params.module), request.body);
      reply.code(201).header('location', `${request.url}/${field.id}`);
      return withEtag(reply, renderCustomField(request.ctx, field));
    },
  );

  app.get('/custom-fields/:module/:id', { schema: { tags, summary: 'Get a custom field definition', params: ModuleIdParams, response: { 200: CustomFieldSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderCustomField(request.ctx, await services.customFields.get(request.ctx, moduleName(request.params.module), request.params.id))),
  );

  app.patch(
    '/custom-fields/:module/:id',
    {
      schema: {
        tags,
        summary: 'Change a custom field definition (needs dictionaries:manage)',
        description: 'Kind and key never change (stored values and integrations depend on them); deactivate a field instead of deleting it.',
        params: ModuleIdParams,
        headers: IfMatchHeaders,
        body: UpdateCustomFieldBody,
        response: { 200: CustomFieldSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      withEtag(reply, renderCustomField(request.ctx, await services.customFields.update(request.ctx, moduleName(request.params.module), request.params.id, request.body, expectedVersion(request)))),
  );
};
