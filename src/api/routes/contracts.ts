import { Type } from 'typebox';
import type { ContractView } from '../../core/contracts/contracts.types.ts';
import type { Page as PageOf } from '../../core/shared/pagination.ts';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import { ContractListQuery, ContractSchema, CreateContractBody, renderContract, UpdateContractBody } from '../schemas/contracts.ts';
import type { Zoned } from '../schemas/render.ts';
import type { RoutePlugin } from '../types.ts';

const ListAnswer = Type.Intersect([Page(ContractSchema, 'contracts'), Type.Object({ total: Type.Optional(Type.Integer()) })]);

const renderPage = (ctx: Zoned, page: PageOf<ContractView>) => ({
  items: page.items.map((k) => renderContract(ctx, k)),
  nextCursor: page.nextCursor,
  ...(page.total !== undefined ? { total: page.total } : {}),
});

export const contractRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['contracts'];
  const description = 'Visible when their customer is visible to the caller. Newest first.';

  app.get(
    '/contracts',
    { schema: { tags, summary: 'List contracts and orders', description, querystring: ContractListQuery, response: { 200: ListAnswer, ...errorResponses } } },
    async (request) => renderPage(request.ctx, await services.contracts.list(request.ctx, request.query)),
  );

  app.post(
    '/contracts',
    { schema: { tags, summary: 'Create a contract or order (as a draft)', body: CreateContractBody, response: { 201: ContractSchema, ...errorResponses } } },
    async (request, reply) => {
      const contract = await services.contracts.create(request.ctx, request.body);
      reply.code(201).header('location', `/api/v1/contracts/${contract.id}`);
      return withEtag(reply, renderContract(request.ctx, contract));
    },
  );

  app.get(
    '/contracts/:id',
    { schema: { tags, summary: 'Get a contract or order', params: IdParams, response: { 200: ContractSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderContract(request.ctx, await services.contracts.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/contracts/:id',
    {
      schema: {
        tags,
        summary: 'Change a draft contract',
        description: 'An audited contract must be un-audited first (409 contract_not_draft); a stopped one never changes (409 contract_stopped).',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateContractBody,
        response: { 200: ContractSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      withEtag(reply, renderContract(request.ctx, await services.contracts.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete(
    '/contracts/:id',
    { schema: { tags, summary: 'Delete a draft contract', params: IdParams, headers: IfMatchHeaders, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.contracts.delete(request.ctx, request.params.id, expectedVersion(request));
      return reply.code(204).send(null);
    },
  );

  const transitions = [
    ['audit', 'Audit a draft (审核)', "draft → audited. 409 contract_already_audited when audited, contract_stopped when stopped. Sets the customer's lastDealAt and lastDealAmount when this is its latest audited contract."],
    ['unaudit', 'Un-audit an audited contract (反审核)', "audited → draft. 409 contract_not_audited for a draft, contract_stopped for a stopped contract. The customer's last deal falls back to its remaining audited contracts."],
    ['stop', 'Stop an audited contract (终止)', "audited → stopped, for good. 409 contract_not_audited for a draft, contract_already_stopped when stopped. A stopped contract no longer counts as the customer's deal."],
  ] as const;
  for (const [action, summary, transitionDescription] of transitions) {
    app.post(
      `/contracts/:id/${action}`,
      { schema: { tags, summary, description: transitionDescription, params: IdParams, headers: IfMatchHeaders, response: { 200: ContractSchema, ...errorResponses } } },
      async (request, reply) => {
        const contract = await services.contracts[action](request.ctx, request.params.id, { expectedVersion: expectedVersion(request) });
        return withEtag(reply, renderContract(request.ctx, contract));
      },
    );
  }
};
