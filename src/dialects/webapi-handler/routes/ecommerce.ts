import { handler } from '../handler.ts';

/** The two public handlers: authenticated by a tenant site key (`siteKey`), not a token. */
export const ecommerceHandlers = [
  handler({
    module: 'ECommerce',
    action: 'UpdateBaseInfoHit',
    refusal: false,
    auth: 'siteKey',
    fields: { itemId: 'pkid', id: 'pkid', addHit: 'addHit' },
    // Adds addHit (0 to 1,000,000) to the hit counter of published item pkid.
    async run({ p, ctx, services }) {
      const itemId = p.id('pkid', '发布信息');
      const addHit = p.int32('addHit', { min: 0, max: 1_000_000 });
      await services.ecommerce.addHits(ctx, itemId, addHit);
      return true;
    },
  }),
  handler({
    module: 'ECommerce',
    action: 'AddMessageBoard',
    refusal: false,
    auth: 'siteKey',
    fields: { customerId: 'custID', content: 'content', contact: 'contact' },
    // Stored, shown on the customer's timeline, and notified to its owner.
    async run({ p, ctx, services }) {
      const customerId = p.id('custID', '客户');
      const content = p.string('content', { max: 5000 });
      const contact = p.optionalString('contact', { max: 200 }) ?? null;
      await services.ecommerce.addMessage(ctx, { customerId, content, contact });
      return true;
    },
  }),
];
