import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, Id } from '../../db/schema.ts';

/**
 * The demo's bulk writer. Each batch is one statement, `INSERT … SELECT … FROM unnest($1::t[],
 * $2::t[], …)`: a parameter per column rather than per value, so a batch of thousands of rows
 * costs one round trip and one plan, on PGlite and on PostgreSQL alike.
 */

type ColumnType = 'bigint' | 'integer' | 'text' | 'boolean' | 'numeric' | 'date' | 'timestamptz' | 'text[]';
export type Columns = readonly (readonly [string, ColumnType])[];
type Row = Record<string, unknown>;

/** Rows per statement: large enough to amortise the round trip, small enough to keep memory flat. */
const BATCH = 5000;

/** A PostgreSQL array literal of text elements, each quoted. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function toParam(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'timestamptz' && typeof value === 'number') return new Date(value).toISOString();
  if (type === 'text[]') return arrayLiteral(value as string[]);
  if (type === 'boolean') return value ? 't' : 'f';
  return typeof value === 'string' ? value : String(value);
}

/**
 * Inserts rows into a tenant's table and answers their new ids in row order (identity values
 * are drawn in the order the rows are read from unnest, so sorting the returned ids restores
 * it). With an `id` column the rows bring their own ids, reserved with reserveIds.
 */
export async function insertRows(executor: Executor, table: string, tenantId: Id, columns: Columns, rows: readonly Row[], returnIds = true): Promise<Id[]> {
  const ids: Id[] = [];
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const params: unknown[] = [tenantId];
    const selects: string[] = [];
    const unnests: string[] = [];
    columns.forEach(([name, type], i) => {
      const element = type === 'text[]' ? 'text' : type;
      params.push(batch.map((row) => toParam(type, row[name])));
      unnests.push(`$${i + 2}::${element}[]`);
      selects.push(type === 'text[]' ? `u.c${i}::text[]` : `u.c${i}`);
    });
    const names = columns.map(([name]) => name).join(', ');
    const aliases = columns.map((_, i) => `c${i}`).join(', ');
    const text =
      `INSERT INTO ${table} (tenant_id, ${names})${columns[0]![0] === 'id' ? ' OVERRIDING SYSTEM VALUE' : ''} SELECT $1::bigint, ${selects.join(', ')} ` +
      `FROM unnest(${unnests.join(', ')}) AS u (${aliases})${returnIds ? ' RETURNING id' : ''}`;
    const result = await executor.executeQuery<{ id: Id }>(CompiledQuery.raw(text, params));
    if (returnIds) ids.push(...result.rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b)));
  }
  return ids;
}

/**
 * Reserves `count` consecutive ids of a table's identity sequence and answers the first. Keys
 * are (tenant_id, id), so the only rows the block must not collide with are the tenant's own,
 * and the tenant is being filled by this run alone. Rows that bring reserved ids can be written
 * by several connections at once and still get the same ids as a serial run.
 */
export async function reserveIds(executor: Executor, table: string, count: number): Promise<number> {
  const { rows } = await sql<{ first: string }>`SELECT nextval(pg_get_serial_sequence(${table}, 'id')) AS first`.execute(executor);
  const first = Number(rows[0]!.first);
  if (count > 1) {
    await sql`
      SELECT setval(s, greatest(${first + count - 1}::bigint, coalesce(pg_sequence_last_value(s), 0)))
      FROM (SELECT pg_get_serial_sequence(${table}, 'id')::regclass AS s) AS seq`.execute(executor);
  }
  return first;
}

const ID = ['id', 'bigint'] as const;

export const CUSTOMER_COLUMNS: Columns = [
  ID,
  ['name', 'text'],
  ['name_pinyin', 'text'],
  ['name_initials', 'text'],
  ['kind_id', 'bigint'],
  ['type_id', 'bigint'],
  ['source_id', 'bigint'],
  ['grade_id', 'bigint'],
  ['lifecycle_id', 'bigint'],
  ['category', 'text'],
  ['phone', 'text'],
  ['phones', 'text[]'],
  ['email', 'text'],
  ['address', 'text'],
  ['region_code', 'text'],
  ['region_name', 'text'],
  ['note', 'text'],
  ['owner_id', 'bigint'],
  ['owner_department_id', 'bigint'],
  ['last_owner_id', 'bigint'],
  ['product_line_id', 'bigint'],
  ['assigned_at', 'timestamptz'],
  ['is_won', 'boolean'],
  ['is_lead', 'boolean'],
  ['first_assigned_at', 'timestamptz'],
  ['lead_external_id', 'text'],
  ['lead_platform', 'text'],
  ['is_locked', 'boolean'],
  ['in_pool', 'boolean'],
  ['pool_moves', 'integer'],
  ['pool_moved_at', 'timestamptz'],
  ['pool_move_kind', 'text'],
  ['pool_reason', 'text'],
  ['last_follow_at', 'timestamptz'],
  ['last_follow_summary', 'text'],
  ['last_follow_user_id', 'bigint'],
  ['next_follow_at', 'timestamptz'],
  ['last_deal_at', 'timestamptz'],
  ['last_deal_amount', 'numeric'],
  ['opportunity_count', 'integer'],
  ['created_via', 'text'],
  ['created_by', 'bigint'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

/** The customers' search rows (0019); the demo's customers have no custom fields. */
export const CUSTOMER_SEARCH_COLUMNS: Columns = [
  ['customer_id', 'bigint'],
  ['search_tokens', 'text[]'],
  ['name_pinyin', 'text'],
  ['phones', 'text[]'],
];

export const CONTACT_COLUMNS: Columns = [
  ID,
  ['customer_id', 'bigint'],
  ['name', 'text'],
  ['gender', 'text'],
  ['position', 'text'],
  ['department', 'text'],
  ['mobile', 'text'],
  ['phone', 'text'],
  ['email', 'text'],
  ['wechat', 'text'],
  ['birthday', 'date'],
  ['is_main', 'boolean'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const OPPORTUNITY_COLUMNS: Columns = [
  ID,
  ['customer_id', 'bigint'],
  ['name', 'text'],
  ['type_id', 'bigint'],
  ['source_id', 'bigint'],
  ['stage_id', 'bigint'],
  ['amount', 'numeric'],
  ['expected_close_date', 'date'],
  ['owner_id', 'bigint'],
  ['status', 'text'],
  ['lose_reason_id', 'bigint'],
  ['lose_remark', 'text'],
  ['last_contact_at', 'timestamptz'],
  ['last_contact_user_id', 'bigint'],
  ['created_by', 'bigint'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const FOLLOW_UP_COLUMNS: Columns = [
  ID,
  ['customer_id', 'bigint'],
  ['opportunity_id', 'bigint'],
  ['type_id', 'bigint'],
  ['purpose_id', 'bigint'],
  ['route_id', 'bigint'],
  ['event_id', 'bigint'],
  ['title', 'text'],
  ['content', 'text'],
  ['content_text', 'text'],
  ['followed_at', 'timestamptz'],
  ['site', 'text'],
  ['latitude', 'numeric'],
  ['longitude', 'numeric'],
  ['cost', 'numeric'],
  ['cost_note', 'text'],
  ['user_id', 'bigint'],
  ['visit_report_id', 'bigint'],
  ['created_by', 'bigint'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const FOLLOW_UP_CONTACT_COLUMNS: Columns = [
  ['follow_up_id', 'bigint'],
  ['contact_id', 'bigint'],
];

export const PARTICIPANT_COLUMNS: Columns = [
  ['follow_up_id', 'bigint'],
  ['user_id', 'bigint'],
];

export const ATTACHMENT_COLUMNS: Columns = [
  ['follow_up_id', 'bigint'],
  ['name', 'text'],
  ['url', 'text'],
  ['created_at', 'timestamptz'],
];

export const PLAN_COLUMNS: Columns = [
  ID,
  ['customer_id', 'bigint'],
  ['contact_id', 'bigint'],
  ['purpose_id', 'bigint'],
  ['route_id', 'bigint'],
  ['title', 'text'],
  ['content', 'text'],
  ['planned_at', 'timestamptz'],
  ['owner_id', 'bigint'],
  ['status', 'text'],
  ['source_follow_up_id', 'bigint'],
  ['fulfilled_follow_up_id', 'bigint'],
  ['done_at', 'timestamptz'],
  ['created_by', 'bigint'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const CUSTOMER_TAG_COLUMNS: Columns = [
  ['customer_id', 'bigint'],
  ['tag_id', 'bigint'],
];

export const VISIT_REPORT_COLUMNS: Columns = [
  ['author_id', 'bigint'],
  ['reported_at', 'timestamptz'],
  ['title', 'text'],
  ['effect', 'text'],
  ['problems', 'text'],
  ['suggestion', 'text'],
  ['work_plan', 'text'],
  ['status', 'integer'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const VISIT_REPORT_COMMENT_COLUMNS: Columns = [
  ['report_id', 'bigint'],
  ['user_id', 'bigint'],
  ['content', 'text'],
  ['created_at', 'timestamptz'],
];

export const VISIT_REPORT_READ_COLUMNS: Columns = [
  ['report_id', 'bigint'],
  ['user_id', 'bigint'],
  ['read_at', 'timestamptz'],
];

export async function countCustomers(executor: Executor, tenantId: Id): Promise<number> {
  const row = await executor.selectFrom('customer').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function loadDictionary(executor: Executor, tenantId: Id): Promise<Map<string, { code: number; id: Id }[]>> {
  const rows = await executor
    .selectFrom('dictionary_item')
    .select(['dictionary', 'code', 'id'])
    .where('tenant_id', '=', tenantId)
    .where('is_active', '=', true)
    .orderBy('dictionary')
    .orderBy('code')
    .execute();
  const byDictionary = new Map<string, { code: number; id: Id }[]>();
  for (const row of rows) {
    const list = byDictionary.get(row.dictionary) ?? [];
    list.push({ code: row.code, id: row.id });
    byDictionary.set(row.dictionary, list);
  }
  return byDictionary;
}

export async function defaultProductLine(executor: Executor, tenantId: Id): Promise<Id | null> {
  const row = await executor.selectFrom('product_line').select('id').where('tenant_id', '=', tenantId).orderBy('is_default', 'desc').orderBy('id').executeTakeFirst();
  return row?.id ?? null;
}

export async function rootDepartment(executor: Executor, tenantId: Id): Promise<Id | null> {
  const row = await executor.selectFrom('department').select('id').where('tenant_id', '=', tenantId).where('parent_id', 'is', null).orderBy('id').executeTakeFirst();
  return row?.id ?? null;
}

/** The department named so under the parent, created when missing (a re-run reuses it). */
export async function ensureDepartment(executor: Executor, tenantId: Id, parentId: Id | null, name: string, sort: number): Promise<Id> {
  let q = executor.selectFrom('department').select('id').where('tenant_id', '=', tenantId).where('name', '=', name);
  q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
  const found = await q.orderBy('id').executeTakeFirst();
  if (found) return found.id;
  const row = await executor.insertInto('department').values({ tenant_id: tenantId, parent_id: parentId, name, sort }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function roleIds(executor: Executor, tenantId: Id): Promise<Map<string, Id>> {
  const rows = await executor.selectFrom('role').select(['code', 'id']).where('tenant_id', '=', tenantId).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}

export interface DemoUserRow {
  login: string;
  name: string;
  job_number: string;
  mobile: string;
  email: string;
  department_id: Id;
  role_id: Id;
}

/** Inserts the users that do not exist yet (by login) and answers every one's id, in order. */
export async function ensureUsers(executor: Executor, tenantId: Id, users: DemoUserRow[]): Promise<Id[]> {
  const columns: Columns = [
    ['login', 'text'],
    ['name', 'text'],
    ['job_number', 'text'],
    ['mobile', 'text'],
    ['email', 'text'],
    ['department_id', 'bigint'],
    ['role_id', 'bigint'],
  ];
  const missing: DemoUserRow[] = [];
  const existing = await findUsersByLogin(executor, tenantId, users.map((u) => u.login));
  for (const user of users) if (!existing.has(user.login.toLowerCase())) missing.push(user);
  await insertRows(executor, 'app_user', tenantId, columns, missing as unknown as Row[], false);
  const byLogin = await findUsersByLogin(executor, tenantId, users.map((u) => u.login));
  return users.map((u) => {
    const id = byLogin.get(u.login.toLowerCase());
    if (!id) throw new Error(`demo user ${u.login} could not be created`);
    return id;
  });
}

async function findUsersByLogin(executor: Executor, tenantId: Id, logins: string[]): Promise<Map<string, Id>> {
  const rows = await executor
    .selectFrom('app_user')
    .select(['id', sql<string>`lower(login)`.as('login')])
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`lower(login) = ANY(${logins.map((login) => login.toLowerCase())}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.login, r.id]));
}

/** The tags of the given names, created when missing; ids in the order of the names. */
export async function ensureTags(executor: Executor, tenantId: Id, tags: readonly (readonly [string, string])[]): Promise<Id[]> {
  for (const [name, color] of tags) {
    await sql`INSERT INTO tag (tenant_id, name, color) VALUES (${tenantId}, ${name}, ${color}) ON CONFLICT DO NOTHING`.execute(executor);
  }
  const rows = await executor
    .selectFrom('tag')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`lower(name) = ANY(${tags.map(([name]) => name.toLowerCase())}::text[])`)
    .execute();
  const byName = new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
  return tags.map(([name]) => byName.get(name.toLowerCase())).filter((id): id is Id => id !== undefined);
}

/**
 * VACUUM (ANALYZE) of the tables filled: statistics for the planner, and the visibility map set,
 * so index-only scans (deep offset pages, counts) skip the heap from the first request instead of
 * after autovacuum's first pass, which on freshly inserted tables can be hours away. Runs
 * outside a transaction (VACUUM refuses one), in two lanes: the follow-ups, ten times the rows of
 * any other table, beside all the rest, so that a server vacuums on two cores.
 */
export async function vacuumAnalyze(db: Kysely<DB>): Promise<void> {
  const lanes = [
    ['follow_up'],
    ['customer', 'customer_search', 'customer_tag', 'contact', 'opportunity', 'visit_report', 'follow_up_contact', 'follow_up_participant', 'follow_up_attachment', 'contact_plan', 'app_user', 'department'],
  ];
  await Promise.all(
    lanes.map(async (tables) => {
      for (const table of tables) await sql`VACUUM (ANALYZE) ${sql.table(table)}`.execute(db);
    }),
  );
}
