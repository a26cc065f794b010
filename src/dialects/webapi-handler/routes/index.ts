import type { HandlerDef } from '../handler.ts';
import { callHandlers } from './calls.ts';
import { contactHistoryHandlers, contactPlanHandlers } from './contact-history.ts';
import { contractHandlers } from './contracts.ts';
import { customerHandlers } from './customers.ts';
import { dictionaryHandlers } from './dictionaries.ts';
import { ecommerceHandlers } from './ecommerce.ts';
import { linkManHandlers } from './link-men.ts';
import { saleHandlers } from './sale.ts';

/** All 39 handlers of seed 004. */
export const HANDLERS: readonly HandlerDef[] = [
  ...dictionaryHandlers,
  ...contactHistoryHandlers,
  ...contactPlanHandlers,
  ...contractHandlers,
  ...customerHandlers,
  ...callHandlers,
  ...ecommerceHandlers,
  ...linkManHandlers,
  ...saleHandlers,
];
