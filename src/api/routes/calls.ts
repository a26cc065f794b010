import { Type } from 'typebox';
import type { CallView } from '../../core/calls/calls.types.ts';
import type { Page as PageOf } from '../../core/shared/pagination.ts';
import { expectedVersion, withEtag } from '../http.ts';
import {
  CallListQuery,
  CallSchema,
  CreateCallBody,
  CreateNumberLockBody,
  NumberLockParams,
  NumberLockSchema,
  renderCall,
  renderNumberLock,
  UpdateCallBody,
} from '../schemas/calls.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import type { Zoned } from '../schemas/render.ts';
import type { RoutePlugin } from '../types.ts';

const ListAnswer = Type.Intersect([Page(CallSchema, 'calls'), Type.Object({ total: Type.Optional(Type.Integer()) })]);

const renderPage = (ctx: Zoned, page: PageOf<CallView>) => ({
  items: page.items.map((k) => renderCall(ctx, k)),
  nextCursor: page.nextCursor,
  ...(page.total !== undefined ? { total: page.total } : {}),
});

const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
const maybeDate = (value: string | null | undefined) => (value === undefined || value === null ? value : new Date(value));

export const callRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['calls'];
  const description = 'Visible to the user on the call, to callers whose data scope is all, and to whoever can see the customer. Newest first.';

  app.get(
    '/calls',
    { schema: { tags, summary: 'List call logs', description, querystring: CallListQuery, response: { 200: ListAnswer, ...errorResponses } } },
    async (request) => {
      const { startedFrom, startedTo, ...rest } = request.query;
      return renderPage(request.ctx, await services.calls.list(request.ctx, { ...rest, startedFrom: date(startedFrom), startedTo: date(startedTo) }));
    },
  );

  app.post(
    '/calls',
    {
      schema: {
        tags,
        summary: 'Record a call',
        description: "Matched to the live customer whose phones include the number (also without a leading 86 or 0) unless customerId is given; it then shows on that customer's timeline.",
        body: CreateCallBody,
        response: { 201: CallSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { startedAt, endedAt, ...rest } = request.body;
      const call = await services.calls.create(request.ctx, { ...rest, startedAt: new Date(startedAt), endedAt: maybeDate(endedAt) });
      reply.code(201).header('location', `/api/v1/calls/${call.id}`);
      return withEtag(reply, renderCall(request.ctx, call));
    },
  );

  app.get(
    '/calls/:id',
    { schema: { tags, summary: 'Get a call log', params: IdParams, response: { 200: CallSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderCall(request.ctx, await services.calls.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/calls/:id',
    {
      schema: {
        tags,
        summary: 'Change a call log',
        description: 'Changing startedAt or endedAt without durationSeconds recomputes the duration.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateCallBody,
        response: { 200: CallSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { startedAt, endedAt, ...rest } = request.body;
      const call = await services.calls.update(request.ctx, request.params.id, { ...rest, startedAt: date(startedAt), endedAt: maybeDate(endedAt) }, expectedVersion(request));
      return withEtag(reply, renderCall(request.ctx, call));
    },
  );
};

export const numberLockRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['number locks'];

  app.get(
    '/number-locks',
    { schema: { tags, summary: 'List locked billing numbers', response: { 200: Type.Object({ items: Type.Array(NumberLockSchema) }), ...errorResponses } } },
    async (request) => ({ items: (await services.numberLocks.list(request.ctx)).map((l) => renderNumberLock(request.ctx, l)) }),
  );

  app.post(
    '/number-locks',
    {
      schema: {
        tags,
        summary: 'Lock a billing number (IMS 号码锁定)',
        description: 'One user holds a number at a time: 409 number_locked when someone else holds it. Locking a number you already hold answers the lock.',
        body: CreateNumberLockBody,
        response: { 200: NumberLockSchema, ...errorResponses },
      },
    },
    async (request) => renderNumberLock(request.ctx, await services.numberLocks.lock(request.ctx, request.body)),
  );

  app.delete(
    '/number-locks/:billingNumber',
    {
      schema: {
        tags,
        summary: 'Unlock a billing number (解除锁定)',
        description: 'Only the holder, or a user with users:manage (403 number_lock_not_holder otherwise); 404 when the number is not locked.',
        params: NumberLockParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await services.numberLocks.unlock(request.ctx, request.params.billingNumber);
      return reply.code(204).send(null);
    },
  );
};
