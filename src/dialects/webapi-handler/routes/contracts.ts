import type { ContractKind } from '../../../core/contracts/contracts.types.ts';
import type { Services } from '../../../core/services.ts';
import type { RequestContext } from '../../../core/shared/context.ts';
import { handler } from '../handler.ts';
import type { Params } from '../params.ts';

/** A sample-gift order by its number (orderID is the 订单单号, e.g. YP-20260101-12). */
async function sampleGiftOrder(p: Params, ctx: RequestContext, services: Services) {
  return services.contracts.getByNumber(ctx, p.string('orderID', { max: 100 }).trim(), 'sample_gift');
}

const CONTRACT: { kind: ContractKind } = { kind: 'contract' };
const SAMPLE_GIFT: { kind: ContractKind } = { kind: 'sample_gift' };

/**
 * Contracts and sample-gift orders: draft → audited → stopped. A refused transition (auditing an
 * audited one, un-auditing a stopped one…) answers the seed's failure value (`refusal`).
 */
export const contractHandlers = [
  handler({
    module: 'Contract',
    action: 'SampleGiftAuditById',
    refusal: 0,
    fields: { number: 'orderID' },
    async run({ p, ctx, services }) {
      const order = await sampleGiftOrder(p, ctx, services);
      await services.contracts.audit(ctx, order.id, SAMPLE_GIFT);
      return 1;
    },
  }),
  handler({
    module: 'Contract',
    action: 'SampleGiftUnAuditById',
    refusal: 0,
    fields: { number: 'orderID' },
    async run({ p, ctx, services }) {
      const order = await sampleGiftOrder(p, ctx, services);
      await services.contracts.unaudit(ctx, order.id, SAMPLE_GIFT);
      return 1;
    },
  }),
  handler({
    module: 'Contract',
    action: 'ContractAudit',
    refusal: false,
    async run({ p, ctx, services }) {
      await services.contracts.audit(ctx, p.id('id', '合同'), CONTRACT);
      return true;
    },
  }),
  handler({
    module: 'Contract',
    action: 'ContractUnAudit',
    refusal: false,
    async run({ p, ctx, services }) {
      await services.contracts.unaudit(ctx, p.id('id', '合同'), CONTRACT);
      return true;
    },
  }),
  handler({
    module: 'Contract',
    action: 'StopContract',
    refusal: -1,
    async run({ p, ctx, services }) {
      await services.contracts.stop(ctx, p.id('id', '合同'), CONTRACT);
      return 1;
    },
  }),
];
