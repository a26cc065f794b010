import { handler } from '../handler.ts';

export const saleHandlers = [
  handler({
    module: 'Sale',
    action: 'SetPublicCust',
    refusal: false,
    fields: { id: 'pkidList', customerIds: 'pkidList' },
    // Releases each customer to its public pool, all or nothing (the pool's rules: owner or pool manager).
    async run({ p, ctx, services }) {
      await services.poolMoves.releaseMany(ctx, p.idList('pkidList'));
      return true;
    },
  }),
];
