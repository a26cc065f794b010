import { Type } from 'typebox';
import type { ContactPlanView } from '../../core/contact-plans/contact-plans.types.ts';
import type { Page as PageOf } from '../../core/shared/pagination.ts';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import {
  ContactPlanCountQuery,
  ContactPlanListQuery,
  ContactPlanSchema,
  CreateContactPlanBody,
  CreateCustomerContactPlanBody,
  CustomerContactPlanListQuery,
  ExecuteContactPlanBody,
  ExecutedPlanSchema,
  renderContactPlan,
  UpdateContactPlanBody,
} from '../schemas/contact-plans.ts';
import type { Zoned } from '../schemas/render.ts';
import type { RoutePlugin } from '../types.ts';

const ListAnswer = Type.Intersect([Page(ContactPlanSchema, 'contact plans'), Type.Object({ total: Type.Optional(Type.Integer()) })]);

const renderPage = (ctx: Zoned, page: PageOf<ContactPlanView>) => ({
  items: page.items.map((p) => renderContactPlan(ctx, p)),
  nextCursor: page.nextCursor,
  ...(page.total !== undefined ? { total: page.total } : {}),
});

const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

/** Query times as Dates; everything else as given. */
const withDates = <T extends { plannedFrom?: string | undefined; plannedTo?: string | undefined }>(query: T) => ({
  ...query,
  plannedFrom: date(query.plannedFrom),
  plannedTo: date(query.plannedTo),
});

export const contactPlanRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['contact plans'];
  const description = "Visible when their customer is visible to the caller. Sorted by planned time, the next one due first; each change keeps the customer's nextFollowAt at its earliest pending plan.";

  app.get(
    '/contact-plans',
    { schema: { tags, summary: 'List contact plans', description, querystring: ContactPlanListQuery, response: { 200: ListAnswer, ...errorResponses } } },
    async (request) => renderPage(request.ctx, await services.contactPlans.list(request.ctx, withDates(request.query))),
  );

  app.get(
    '/contact-plans/count',
    {
      schema: {
        tags,
        summary: 'Count contact plans',
        description: 'Visible plans matching the filters. The caller\'s open plans (seed 004 GetContactPlanCount): `?ownerId=<your id>&status=pending`.',
        querystring: ContactPlanCountQuery,
        response: { 200: Type.Object({ count: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => ({ count: await services.contactPlans.count(request.ctx, withDates(request.query)) }),
  );

  app.get(
    '/customers/:id/contact-plans',
    { schema: { tags, summary: "List a customer's contact plans", description, params: IdParams, querystring: CustomerContactPlanListQuery, response: { 200: ListAnswer, ...errorResponses } } },
    async (request) => renderPage(request.ctx, await services.contactPlans.list(request.ctx, { ...withDates(request.query), customerId: request.params.id })),
  );

  app.post(
    '/contact-plans',
    { schema: { tags, summary: 'Create a contact plan', body: CreateContactPlanBody, response: { 201: ContactPlanSchema, ...errorResponses } } },
    async (request, reply) => {
      const plan = await services.contactPlans.create(request.ctx, { ...request.body, plannedAt: new Date(request.body.plannedAt) });
      reply.code(201).header('location', `/api/v1/contact-plans/${plan.id}`);
      return withEtag(reply, renderContactPlan(request.ctx, plan));
    },
  );

  app.post(
    '/customers/:id/contact-plans',
    { schema: { tags, summary: 'Create a contact plan for a customer', params: IdParams, body: CreateCustomerContactPlanBody, response: { 201: ContactPlanSchema, ...errorResponses } } },
    async (request, reply) => {
      const plan = await services.contactPlans.create(request.ctx, { ...request.body, customerId: request.params.id, plannedAt: new Date(request.body.plannedAt) });
      reply.code(201).header('location', `/api/v1/contact-plans/${plan.id}`);
      return withEtag(reply, renderContactPlan(request.ctx, plan));
    },
  );

  app.get(
    '/contact-plans/:id',
    { schema: { tags, summary: 'Get a contact plan', params: IdParams, response: { 200: ContactPlanSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderContactPlan(request.ctx, await services.contactPlans.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/contact-plans/:id',
    {
      schema: {
        tags,
        summary: 'Change, reschedule, cancel or reopen a contact plan',
        description: 'status done sets doneAt; leaving done clears doneAt and fulfilledFollowUpId. To record the follow-up that fulfils a plan, use execute.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateContactPlanBody,
        response: { 200: ContactPlanSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { plannedAt, ...rest } = request.body;
      const plan = await services.contactPlans.update(request.ctx, request.params.id, { ...rest, plannedAt: date(plannedAt) }, expectedVersion(request));
      return withEtag(reply, renderContactPlan(request.ctx, plan));
    },
  );

  app.delete(
    '/contact-plans/:id',
    { schema: { tags, summary: 'Delete a contact plan', params: IdParams, headers: IfMatchHeaders, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.contactPlans.delete(request.ctx, request.params.id, expectedVersion(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/contact-plans/:id/execute',
    {
      schema: {
        tags,
        summary: 'Execute a pending contact plan',
        description:
          'Writes the follow-up, marks the plan done with it and, with `next`, schedules the next plan from that follow-up: one transaction, so a refused part writes nothing. A plan that is not pending answers 409.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: ExecuteContactPlanBody,
        response: { 200: ExecutedPlanSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { next, followedAt, ...followUp } = request.body;
      const result = await services.contactPlans.execute(
        request.ctx,
        request.params.id,
        {
          followUp: { ...followUp, followedAt: date(followedAt) },
          next: next ? { ...next, plannedAt: new Date(next.plannedAt) } : null,
        },
        expectedVersion(request),
      );
      return { plan: renderContactPlan(request.ctx, result.plan), followUpId: result.followUp.id, nextPlan: result.nextPlan ? renderContactPlan(request.ctx, result.nextPlan) : null };
    },
  );
};
