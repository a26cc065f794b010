import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import {
  CreateDepartmentBody,
  CreateRoleBody,
  CreateUserBody,
  DepartmentSchema,
  renderDepartment,
  renderRole,
  renderUser,
  RoleSchema,
  UpdateDepartmentBody,
  UpdateRoleBody,
  UpdateUserBody,
  UserListQuery,
  UserSchema,
} from '../schemas/people.ts';
import type { RoutePlugin } from '../types.ts';

export const userRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['users'];
  app.get('/users', { schema: { tags, summary: 'List users', querystring: UserListQuery, response: { 200: Page(UserSchema, 'users'), ...errorResponses } } }, async (request) => {
    const page = await services.users.list(request.ctx, request.query);
    return { items: page.items.map((u) => renderUser(request.ctx, u)), nextCursor: page.nextCursor };
  });

  app.post(
    '/users',
    { schema: { tags, summary: 'Create a user (needs users:manage)', body: CreateUserBody, response: { 201: UserSchema, ...errorResponses } } },
    async (request, reply) => {
      const user = await services.users.create(request.ctx, request.body);
      reply.code(201).header('location', `${request.url}/${user.id}`);
      return withEtag(reply, renderUser(request.ctx, user));
    },
  );

  app.get('/users/:id', { schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: UserSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderUser(request.ctx, await services.users.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user',
        description: 'Users may change their own name, email, mobile, avatar and password (with currentPassword); everything else needs users:manage.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateUserBody,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await services.users.update(request.ctx, request.params.id, request.body, expectedVersion(request));
      return withEtag(reply, renderUser(request.ctx, user));
    },
  );
};

export const departmentRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['departments'];
  app.get(
    '/departments',
    { schema: { tags, summary: 'All departments, as a flat list ordered for display', response: { 200: Type.Object({ items: Type.Array(DepartmentSchema) }), ...errorResponses } } },
    async (request) => ({ items: (await services.departments.list(request.ctx)).map((d) => renderDepartment(request.ctx, d)) }),
  );

  app.post(
    '/departments',
    { schema: { tags, summary: 'Create a department (needs departments:manage)', body: CreateDepartmentBody, response: { 201: DepartmentSchema, ...errorResponses } } },
    async (request, reply) => {
      const department = await services.departments.create(request.ctx, request.body);
      reply.code(201).header('location', `${request.url}/${department.id}`);
      return withEtag(reply, renderDepartment(request.ctx, department));
    },
  );

  app.get('/departments/:id', { schema: { tags, summary: 'Get a department', params: IdParams, response: { 200: DepartmentSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderDepartment(request.ctx, await services.departments.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/departments/:id',
    { schema: { tags, summary: 'Rename, move or reorder a department', params: IdParams, headers: IfMatchHeaders, body: UpdateDepartmentBody, response: { 200: DepartmentSchema, ...errorResponses } } },
    async (request, reply) =>
      withEtag(reply, renderDepartment(request.ctx, await services.departments.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete(
    '/departments/:id',
    { schema: { tags, summary: 'Delete an empty department', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.departments.delete(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
};

export const roleRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['roles'];
  app.get('/roles', { schema: { tags, summary: 'All roles', response: { 200: Type.Object({ items: Type.Array(RoleSchema) }), ...errorResponses } } }, async (request) => ({
    items: (await services.roles.list(request.ctx)).map((r) => renderRole(request.ctx, r)),
  }));

  app.post('/roles', { schema: { tags, summary: 'Create a role (needs roles:manage)', body: CreateRoleBody, response: { 201: RoleSchema, ...errorResponses } } }, async (request, reply) => {
    const role = await services.roles.create(request.ctx, request.body);
    reply.code(201).header('location', `${request.url}/${role.id}`);
    return withEtag(reply, renderRole(request.ctx, role));
  });

  app.get('/roles/:id', { schema: { tags, summary: 'Get a role', params: IdParams, response: { 200: RoleSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderRole(request.ctx, await services.roles.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/roles/:id',
    { schema: { tags, summary: 'Change a role', params: IdParams, headers: IfMatchHeaders, body: UpdateRoleBody, response: { 200: RoleSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderRole(request.ctx, await services.roles.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete('/roles/:id', { schema: { tags, summary: 'Delete a role no user has', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.roles.delete(request.ctx, request.params.id);
    return reply.code(204).send(null);
  });
};
