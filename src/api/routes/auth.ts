import { Type } from 'typebox';
import { errorResponses } from '../schemas/common.ts';
import { IssuedTokenSchema, LoginBody, renderToken } from '../schemas/access.ts';
import { renderRole, renderUser, RoleSchema, UserSchema } from '../schemas/people.ts';
import type { RoutePlugin } from '../types.ts';

const MeSchema = Type.Object({
  user: UserSchema,
  role: RoleSchema,
  tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), timezone: Type.String() }),
});

export const authRoutes: RoutePlugin = async (app, { services, clock }) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a password and get a session token',
        description: `A session token lasts 7 days. After 5 wrong passwords in a row the account locks for 15 minutes (429 with Retry-After).`,
        security: [],
        body: LoginBody,
        response: { 200: IssuedTokenSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenant = 'default', login, password } = request.body;
      const session = await services.auth.login(tenant, login, password, { api: 'native', requestId: request.id, clock });
      return { token: session.token, info: renderToken(session, session.info) };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Revoke the token this request is made with', response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      if (request.ctx.tokenId) await services.auth.revokeToken(request.ctx, request.ctx.tokenId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { schema: { tags: ['auth'], summary: 'The calling user, their role and tenant', response: { 200: MeSchema, ...errorResponses } } },
    async (request) => {
      const ctx = request.ctx;
      const user = await services.users.get(ctx, ctx.user!.id);
      const role = await services.roles.get(ctx, user.role_id);
      const tenant = await services.tenants.getBySlug(ctx.tenant.slug);
      return {
        user: renderUser(ctx, user),
        role: renderRole(ctx, role),
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, timezone: tenant.timezone },
      };
    },
  );
};
