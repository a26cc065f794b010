import type { Services } from '../../core/services.ts';
import type { RequestContext } from '../../core/shared/context.ts';
import type { FieldNames } from './errors.ts';
import type { Params } from './params.ts';

/** What a handler gets: its parameters, the caller's context and the core services. */
export interface HandlerInput {
  p: Params;
  ctx: RequestContext;
  services: Services;
}

/** One `.ashx` handler of seed 004. */
export interface HandlerDef {
  /** As the seed spells them, e.g. `Customer` and `GetAllList`. */
  module: string;
  action: string;
  /** `token` (default): a Genjin API or session token; `siteKey`: a tenant site key (ECommerce). */
  auth?: 'token' | 'siteKey';
  /** Element name of each item when the value is a list and the answer is XML. */
  xmlItem?: string;
  /** Native field names (in core errors) → this handler's parameter names. */
  fields?: FieldNames;
  /**
   * The failure value the seed documents (`false`, `-1`, or `0` affected rows), answered with
   * HTTP 200 when the core refuses the change by its rules (a conflict: auditing an audited
   * contract, a number locked by someone else…). The reason goes in the `X-Genjin-Refusal`
   * header. Bad parameters, auth and missing records stay errors.
   */
  refusal?: false | -1 | 0;
  run(input: HandlerInput): Promise<unknown>;
}

export const handlerPath = (def: Pick<HandlerDef, 'module' | 'action'>) => `/1.0/crm/${def.module.toLowerCase()}/${def.action.toLowerCase()}.ashx`;

/** Keeps a handler's literal type while checking it. */
export const handler = (def: HandlerDef): HandlerDef => def;
