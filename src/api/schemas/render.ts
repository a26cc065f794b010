import { isoInZone } from '../../core/shared/time.ts';

/** Anything that knows the tenant's time zone: a request context, or a bare tenant. */
export interface Zoned {
  tenant: { timezone: string };
}

/** Native API times: ISO 8601 in the tenant's time zone, with its offset. */
export const time = (ctx: Zoned, date: Date) => isoInZone(date, ctx.tenant.timezone);
export const maybeTime = (ctx: Zoned, date: Date | null) => (date ? time(ctx, date) : null);
