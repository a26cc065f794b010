import { expect } from 'vitest';
import type { PoolRulesInput } from '../../src/core/pool/pool.types.ts';
import type { client } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

/** The rules as the API takes them (ids are strings on the wire too). */
export type Rules = PoolRulesInput;

/** Every rule off: the state of a new pool. */
export const RULES_OFF: Rules = {
  recycleNoFollowDays: null,
  recycleNoDealDays: null,
  gradeDays: {},
  exemptLocked: true,
  exemptWon: false,
  exemptOpenOpportunities: false,
  noticeDays: 3,
  ownerCap: null,
  capCountsWon: false,
  capScope: 'user',
  dailyClaimLimit: null,
  reclaimCooldownDays: 0,
  protectionHours: 0,
};

export async function defaultPoolId(api: Api): Promise<string> {
  const res = await api.get('/api/v1/pools');
  expect(res.status).toBe(200);
  const pool = (res.body.items as { id: string; isDefault: boolean }[]).find((p) => p.isDefault);
  expect(pool).toBeDefined();
  return pool!.id;
}

/** Replaces a pool's rules with every rule off plus the given ones. */
export async function setRules(api: Api, poolId: string, rules: Partial<Rules> = {}) {
  const res = await api.put(`/api/v1/pools/${poolId}/rules`, { ...RULES_OFF, ...rules });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function newCustomer(api: Api, name: string): Promise<string> {
  const res = await api.post('/api/v1/customers', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
