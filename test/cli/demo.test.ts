import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDemoOptions, type DemoOptions, type DemoResult } from '../../src/core/demo/demo.types.ts';
import { summarise } from '../../src/core/follow-ups/plain-text.ts';
import { openRuntime } from '../../src/runtime.ts';
import { cliBackend, runCli } from '../helpers/cli.ts';
import { client, setupHarness, type Harness } from '../helpers/harness.ts';

const NOW = new Date('2026-03-02T04:00:00Z');

describe('genjin demo', () => {
  let h: Harness;
  let first: DemoResult;
  const firstPhases = new Set<string>();
  const options = (overrides: Partial<DemoOptions>) => resolveDemoOptions({ customers: 200, followUps: 1000, users: 8, departments: 3, seed: 42, now: NOW, ...overrides });

  beforeAll(async () => {
    h = await setupHarness();
    first = await h.services.demo.generate(options({ tenant: 'demo-a' }), (p) => firstPhases.add(p.phase));
  }, 120_000);

  const count = async (table: string, tenantId: string) => {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE tenant_id = ${tenantId}`.execute(h.database.db);
    return Number(rows[0]!.n);
  };

  /** A digest of what a person would see of the tenant's customers and follow-ups, in insertion order. */
  const fingerprint = async (tenantId: string) => {
    const { rows: customers } = await sql<{ v: string }>`
      SELECT concat_ws('|', name, phone, array_to_string(phones, ','), owner_id IS NULL, last_follow_at, last_follow_summary, next_follow_at, opportunity_count) AS v
      FROM customer WHERE tenant_id = ${tenantId} ORDER BY id`.execute(h.database.db);
    const { rows: followUps } = await sql<{ v: string }>`
      SELECT concat_ws('|', content, title, followed_at, site) AS v FROM follow_up WHERE tenant_id = ${tenantId} ORDER BY id`.execute(h.database.db);
    const hash = createHash('sha256');
    for (const row of [...customers, ...followUps]) hash.update(row.v).update('\n');
    return hash.digest('hex');
  };

  it('creates the tenant and exactly the rows asked for', async () => {
    const tenantId = first.tenant.id;
    expect(first.createdTenant?.token).toMatch(/^gjn_/);
    expect(await count('customer', tenantId)).toBe(200);
    expect(await count('follow_up', tenantId)).toBe(1000);
    expect(await count('contact', tenantId)).toBe(40);
    expect(await count('contact_plan', tenantId)).toBe(100);
    expect(await count('opportunity', tenantId)).toBe(20);
    expect(await count('visit_report', tenantId)).toBe(10);
    expect(await count('app_user', tenantId)).toBe(8 + 1);
    expect(await count('department', tenantId)).toBe(3 + 1);
    expect(await count('follow_up_contact', tenantId)).toBe(first.counts.contactLinks);
    expect(await count('follow_up_participant', tenantId)).toBe(first.counts.participants);
    expect(await count('customer_tag', tenantId)).toBe(first.counts.tags);
    expect(first.rows).toBeGreaterThan(1300);
  });

  it('loads an empty database with its indexes and foreign keys set aside, and puts every one back', async () => {
    expect(firstPhases.has('indexes')).toBe(true);
    expect(await h.database.db.selectFrom('set_aside').selectAll().execute()).toEqual([]);
    const { rows } = await sql<{ indexes: string; keys: string }>`
      SELECT (SELECT count(*) FROM pg_index WHERE indrelid = 'follow_up'::regclass) AS indexes,
             (SELECT count(*) FROM pg_constraint WHERE conrelid = 'follow_up'::regclass AND contype = 'f') AS keys`.execute(h.database.db);
    expect(Number(rows[0]!.indexes)).toBeGreaterThanOrEqual(7);
    expect(Number(rows[0]!.keys)).toBeGreaterThanOrEqual(8);
    // The next tenant finds rows there, so it is loaded into the indexed tables.
    const phases = new Set<string>();
    await h.services.demo.generate(options({ tenant: 'demo-e', customers: 20, followUps: 50 }), (p) => phases.add(p.phase));
    expect(phases.has('indexes')).toBe(false);
  });

  it('writes realistic Chinese data that uses the tenant dictionaries', async () => {
    const tenantId = first.tenant.id;
    const customers = await h.database.db.selectFrom('customer').selectAll().where('tenant_id', '=', tenantId).execute();
    const companies = customers.filter((c) => /(公司|工作室|经营部)$/.test(c.name));
    expect(companies.length).toBeGreaterThan(150);
    expect(new Set(companies.map((c) => c.name)).size).toBe(companies.length);
    const search = new Map((await h.database.db.selectFrom('customer_search').selectAll().where('tenant_id', '=', tenantId).execute()).map((s) => [s.customer_id, s]));
    expect(search.size).toBe(customers.length);
    for (const c of customers) {
      expect(c.phones.every((p) => /^\d{7,12}$/.test(p))).toBe(true);
      expect(c.name_initials).toMatch(/^[a-z0-9]+$/);
      const row = search.get(c.id)!;
      expect(row.search_tokens.length).toBeGreaterThan(0);
      expect([row.name_pinyin, row.phones, row.custom_fields]).toEqual([c.name_pinyin, c.phones, c.custom_fields]);
    }
    expect(customers.filter((c) => /^1[3589]\d{9}$/.test(c.phone ?? '')).length).toBeGreaterThan(100);
    const { rows } = await sql<{ dictionary: string; n: string }>`
      SELECT d.dictionary, count(*) AS n FROM follow_up f JOIN dictionary_item d ON d.tenant_id = f.tenant_id AND d.id = f.type_id
      WHERE f.tenant_id = ${tenantId} GROUP BY d.dictionary`.execute(h.database.db);
    expect(rows).toEqual([{ dictionary: 'follow_up_type', n: '1000' }]);
    const html = await count('follow_up', tenantId).then(() =>
      h.database.db.selectFrom('follow_up').select('content').where('tenant_id', '=', tenantId).where('content', 'like', '<p>%').execute(),
    );
    expect(html.length).toBeGreaterThan(100);
    const stages = await h.database.db.selectFrom('opportunity').select('status').distinct().where('tenant_id', '=', tenantId).execute();
    expect(stages.length).toBeGreaterThan(1);
  });

  it('keeps every customer’s derived fields consistent with its follow-ups, plans and opportunities', async () => {
    const tenantId = first.tenant.id;
    const { rows } = await sql<{ id: string; last_follow_at: Date | null; last_follow_user_id: string | null; last_follow_summary: string | null; latest_at: Date | null; latest_user: string | null; latest_text: string | null; latest_title: string | null; next_follow_at: Date | null; next_plan: Date | null; opportunity_count: number; opportunities: string }>`
      SELECT c.id, c.last_follow_at, c.last_follow_user_id, c.last_follow_summary, c.next_follow_at, c.opportunity_count,
             l.followed_at AS latest_at, l.user_id AS latest_user, l.content_text AS latest_text, l.title AS latest_title,
             (SELECT min(p.planned_at) FROM contact_plan p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id AND p.status = 'pending') AS next_plan,
             (SELECT count(*) FROM opportunity o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id AND o.deleted_at IS NULL) AS opportunities
      FROM customer c
      LEFT JOIN LATERAL (
        SELECT f.followed_at, f.user_id, f.content_text, f.title FROM follow_up f
        WHERE f.tenant_id = c.tenant_id AND f.customer_id = c.id ORDER BY f.followed_at DESC, f.id DESC LIMIT 1
      ) l ON true
      WHERE c.tenant_id = ${tenantId}`.execute(h.database.db);
    expect(rows).toHaveLength(200);
    for (const row of rows) {
      expect(row.last_follow_at?.getTime() ?? null, row.id).toBe(row.latest_at?.getTime() ?? null);
      expect(row.last_follow_user_id).toBe(row.latest_user);
      expect(row.last_follow_summary).toBe(row.latest_at ? summarise(row.latest_text || row.latest_title || '') || null : null);
      expect(row.next_follow_at?.getTime() ?? null, row.id).toBe(row.next_plan?.getTime() ?? null);
      expect(row.opportunity_count).toBe(Number(row.opportunities));
    }
    expect(rows.filter((r) => r.next_follow_at).length).toBeGreaterThan(10);
    const { rows: orphans } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM follow_up f JOIN opportunity o ON o.tenant_id = f.tenant_id AND o.id = f.opportunity_id
      WHERE f.tenant_id = ${tenantId} AND o.customer_id <> f.customer_id`.execute(h.database.db);
    expect(orphans[0]!.n).toBe('0');
  });

  it('gives the same data for the same seed and different data for another', async () => {
    const again = await h.services.demo.generate(options({ tenant: 'demo-b' }));
    const other = await h.services.demo.generate(options({ tenant: 'demo-c', seed: 43 }));
    const a = await fingerprint(first.tenant.id);
    expect(await fingerprint(again.tenant.id)).toBe(a);
    expect(await fingerprint(other.tenant.id)).not.toBe(a);
  }, 120_000);

  it('builds the same rows for the same seed at another time, only moved in time', async () => {
    const later = await h.services.demo.generate(options({ tenant: 'demo-d', now: new Date(NOW.getTime() + 3.2 * 86_400_000) }));
    const shape = async (tenantId: string) => {
      const { rows } = await sql<{ v: string }>`
        SELECT concat_ws('|', name, phone, (SELECT string_agg(content, '/' ORDER BY id) FROM follow_up f WHERE f.tenant_id = c.tenant_id AND f.customer_id = c.id)) AS v
        FROM customer c WHERE c.tenant_id = ${tenantId} ORDER BY id`.execute(h.database.db);
      return createHash('sha256').update(rows.map((r) => r.v).join('\n')).digest('hex');
    };
    expect(await shape(later.tenant.id)).toBe(await shape(first.tenant.id));
    expect(later.counts).toEqual(first.counts);
    expect(await fingerprint(later.tenant.id)).not.toBe(await fingerprint(first.tenant.id));
  }, 120_000);

  it('makes customers findable by the pinyin initials of their names through the API', async () => {
    const api = client(h.app, first.createdTenant!.token);
    const customers = await h.database.db
      .selectFrom('customer')
      .select(['id', 'name', 'name_initials'])
      .where('tenant_id', '=', first.tenant.id)
      .where('in_pool', '=', false)
      .orderBy('id')
      .limit(3)
      .execute();
    for (const customer of customers) {
      const res = await api.get(`/api/v1/customers?q=${customer.name_initials}&limit=500`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((c: { id: string }) => c.id)).toContain(customer.id);
      const fragment = Array.from(customer.name).slice(2, 4).join('');
      const byFragment = await api.get(`/api/v1/customers?q=${encodeURIComponent(fragment)}&limit=500`);
      expect(byFragment.body.items.map((c: { id: string }) => c.id)).toContain(customer.id);
    }
  });

  it('refuses a tenant that already has customers, writing nothing', async () => {
    await expect(h.services.demo.generate(options({ tenant: 'demo-a', customers: 10, followUps: 10 }))).rejects.toMatchObject({ kind: 'conflict', code: 'tenant_not_empty' });
    expect(await count('customer', first.tenant.id)).toBe(200);
  });
});

describe('genjin demo (the command)', () => {
  let backend: Awaited<ReturnType<typeof cliBackend>>;
  beforeAll(async () => {
    backend = await cliBackend('demo');
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('fills the default tenant, reports progress on stderr and a summary on stdout', { timeout: 120_000 }, async () => {
    const result = await runCli(['demo', '--customers', '60', '--follow-ups', '300', '--users', '4', '--seed', '7', ...backend.args], backend.env, 110_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Filled tenant "default" \(seed 7\)/);
    expect(result.stdout).toMatch(/follow-ups\s+300/);
    expect(result.stdout).toMatch(/API token: gjn_/);
    expect(result.stderr).toMatch(/^customers 60\/60 · /m);

    const runtime = await openRuntime(backend.config, 'demo.test');
    try {
      const tenant = await runtime.services.tenants.getBySlug('default');
      const rows = await runtime.database.db.selectFrom('follow_up').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(300);
    } finally {
      await runtime.close();
    }
  });

  it('names the flag when a count is not a number', async () => {
    const result = await runCli(['demo', '--customers', 'many', ...backend.args], backend.env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--customers');
  });
});
