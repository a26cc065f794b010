import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import { restoreSetAside, setAside } from '../../db/set-aside.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { namePinyin } from '../customers/search.ts';
import { systemClock } from '../shared/clock.ts';
import { zonedParts } from '../shared/time.ts';
import { conflict, invalidField } from '../shared/errors.ts';
import type { TenantsService } from '../tenants/tenants.service.ts';
import { findTenantBySlug } from '../tenants/tenants.repository.ts';
import { mobile, person } from './builders.ts';
import {
  vacuumAnalyze,
  ATTACHMENT_COLUMNS,
  CONTACT_COLUMNS,
  countCustomers,
  CUSTOMER_COLUMNS,
  CUSTOMER_SEARCH_COLUMNS,
  CUSTOMER_TAG_COLUMNS,
  defaultProductLine,
  ensureDepartment,
  ensureTags,
  ensureUsers,
  FOLLOW_UP_COLUMNS,
  FOLLOW_UP_CONTACT_COLUMNS,
  insertRows,
  loadDictionary,
  OPPORTUNITY_COLUMNS,
  PARTICIPANT_COLUMNS,
  PLAN_COLUMNS,
  reserveIds,
  roleIds,
  rootDepartment,
  VISIT_REPORT_COLUMNS,
  VISIT_REPORT_COMMENT_COLUMNS,
  VISIT_REPORT_READ_COLUMNS,
} from './demo.repository.ts';
import type { DemoCounts, DemoOptions, DemoProgress, DemoResult } from './demo.types.ts';
import { CHUNK, ChunkBuilder, type ChunkRows, chunkShare, type DemoUser, type World } from './generate.ts';
import { REGIONS, TAGS, TEAM_NAMES, VISIT_REPORT } from './pools.ts';
import { Random } from './random.ts';
import { Timeline } from './timeline.ts';

/** Chunk transactions in flight at once, and index builds after a load into empty tables. */
const WRITERS = 2;

/** The tables the demo fills in bulk: loaded into an empty database, their indexes and keys are set aside. */
const BULK_TABLES = [
  'visit_report',
  'customer',
  'customer_search',
  'customer_tag',
  'contact',
  'opportunity',
  'follow_up',
  'follow_up_contact',
  'follow_up_participant',
  'follow_up_attachment',
  'contact_plan',
];

const LIMITS: Record<keyof DemoCounts, number> = {
  customers: 10_000_000,
  followUps: 100_000_000,
  contacts: 10_000_000,
  plans: 10_000_000,
  opportunities: 10_000_000,
  visitReports: 10_000_000,
  users: 100_000,
  departments: 10_000,
};

/**
 * Fills a tenant with realistic demo data: departments and users, customers with contacts,
 * opportunities, follow-ups, plans, visit reports and tags. Deterministic for a seed; written in
 * chunks of CHUNK customers, each in its own transaction with everything that hangs off them,
 * so the customers' derived fields (last follow-up, next follow-up, opportunity count, last
 * deal) are computed once, with the rows they derive from, instead of by a later UPDATE that
 * would rewrite every customer row and its index entries.
 */
export class DemoService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly tenants: TenantsService,
  ) {}

  async generate(options: DemoOptions, onProgress: (progress: DemoProgress) => void = () => {}): Promise<DemoResult> {
    const started = performance.now();
    checkCounts(options);
    let rows = 0;
    const report = (phase: DemoProgress['phase'], done: number, total: number) => onProgress({ phase, done, total, rows });
    report('setup', 0, 1);

    let createdTenant: DemoResult['createdTenant'];
    if (!(await findTenantBySlug(this.db, options.tenant))) {
      const created = await this.tenants.create({ slug: options.tenant }, 'cli');
      createdTenant = { login: created.admin.login, password: created.password ?? '', token: created.token };
    }
    const ctx = await this.tenants.adminContext(options.tenant, 'cli');
    const tenantId = ctx.tenant.id;
    if ((await countCustomers(this.db, tenantId)) > 0) {
      throw conflict('tenant_not_empty', `tenant "${options.tenant}" already has customers; demo data goes into an empty tenant (use --tenant to name a new one)`, 'tenant');
    }

    const time = new Timeline(Math.floor(options.now.getTime() / 1000) * 1000, zonedParts(options.now, ctx.tenant.timezone).offsetMinutes * 60_000);
    const { users, teams } = await this.people(tenantId, options);
    rows += options.users + options.departments;
    const tagIds = await ensureTags(this.db, tenantId, TAGS);
    const world: World = {
      seed: options.seed,
      time,
      users,
      teams,
      dictionary: await loadDictionary(this.db, tenantId),
      tagIds,
      productLineId: await defaultProductLine(this.db, tenantId),
      reports: new Map(),
    };
    // A first load into an empty database builds its indexes and checks its keys afterwards;
    // another tenant's rows in these tables make it an ordinary load, kept indexed.
    const setAsideCount = await setAside(this.db, BULK_TABLES);
    report('setup', 1, 1);

    world.reports = await this.visitReports(tenantId, options, world, (done, written) => {
      rows += written;
      report('visit reports', done, options.visitReports);
    });

    const totals = { customers: options.customers, followUps: options.followUps, contacts: options.contacts, opportunities: options.opportunities, plans: options.plans };
    const extra = { contactLinks: 0, participants: 0, attachments: 0, tags: 0 };
    const usedNames = new Set<string>();
    const chunks = Math.ceil(options.customers / CHUNK);
    let done = 0;
    report('customers', 0, options.customers);
    const first = {
      customer: await this.reserve('customer', options.customers),
      contact: await this.reserve('contact', options.contacts),
      opportunity: await this.reserve('opportunity', options.opportunities),
      followUp: await this.reserve('follow_up', options.followUps),
      plan: await this.reserve('contact_plan', options.plans),
    };
    // Chunks bring their own ids, so two can be written at once (PostgreSQL then inserts on two
    // cores; PGlite takes them in turn) while Node builds the next, and a fresh database still
    // gets the same ids every time.
    const writing = new Set<Promise<void>>();
    for (let c = 0; c < chunks; c++) {
      const share = chunkShare(c, totals);
      const built = await new ChunkBuilder(world, usedNames).build(share);
      const before = (total: number) => Math.floor((share.first * total) / options.customers);
      const bases: IdBases = {
        customer: first.customer + share.first,
        contact: first.contact + before(options.contacts),
        opportunity: first.opportunity + before(options.opportunities),
        followUp: first.followUp + before(options.followUps),
        plan: first.plan + before(options.plans),
      };
      extra.contactLinks += built.followUpContacts.length;
      extra.participants += built.participants.length;
      extra.attachments += built.attachments.length;
      extra.tags += built.tags.length;
      while (writing.size >= WRITERS) await Promise.race(writing);
      const write: Promise<void> = this.transaction((trx) => writeChunk(trx, tenantId, built, bases)).then((written) => {
        rows += written;
        done += share.customers;
        writing.delete(write);
        report('customers', done, options.customers);
      });
      writing.add(write);
      // A failed write must not go unobserved while the next chunk is being built; it is
      // rethrown by the race or the final wait below.
      write.catch(() => {});
    }
    await Promise.all(writing);
    if (setAsideCount > 0) {
      report('indexes', 0, 1);
      await restoreSetAside(this.db, WRITERS);
      report('indexes', 1, 1);
    } else {
      await this.cleanGinPendingLists();
    }
    report('finishing', 0, 1);
    const counts = { ...countsOf(options), ...extra };
    await this.transaction(async (trx) => {
      await writeAudit(trx, { ...ctx, clock: systemClock }, { entity: 'demo', entityId: tenantId, action: 'create', after: { seed: options.seed, ...counts } });
    });
    await vacuumAnalyze(this.db);
    report('finishing', 1, 1);
    return { tenant: { id: tenantId, slug: options.tenant }, createdTenant, counts, rows, seconds: (performance.now() - started) / 1000 };
  }

  private async reserve(table: string, count: number): Promise<number> {
    return count > 0 ? reserveIds(this.db, table, count) : 0;
  }

  /**
   * Index entries that GIN deferred during the load (gin_pending_list_limit, raised for it) are
   * merged now: searches would otherwise scan the pending list until autovacuum gets to it.
   */
  private async cleanGinPendingLists(): Promise<void> {
    await sql`
      SELECT gin_clean_pending_list(i.indexrelid::regclass)
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
      WHERE am.amname = 'gin' AND i.indrelid IN ('customer_search'::regclass, 'follow_up'::regclass, 'contact'::regclass, 'opportunity'::regclass)`.execute(this.db);
  }

  /** Bulk work can lose its last transactions in a crash without harm: commits need not wait for the disk. */
  private transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      // GIN inserts go to a pending list merged in bulk, which is much cheaper than one by one.
      await sql`SET LOCAL gin_pending_list_limit = '64MB'`.execute(trx);
      return work(trx);
    });
  }

  /** Departments (regions over teams when there are many) and users, the first of each team its manager. */
  private async people(tenantId: Id, options: DemoOptions): Promise<{ users: DemoUser[]; teams: number[][] }> {
    return this.transaction(async (trx) => {
      const root = await rootDepartment(trx, tenantId);
      const regionCount = options.departments >= 10 ? Math.round(options.departments / 6) : 0;
      const regions: Id[] = [];
      for (let k = 0; k < regionCount; k++) {
        regions.push(await ensureDepartment(trx, tenantId, root, numbered(REGIONS, k), k + 1));
      }
      const teamIds: Id[] = [];
      for (let t = 0; t < options.departments - regionCount; t++) {
        const parent = regionCount ? regions[t % regionCount]! : root;
        const within = regionCount ? Math.floor(t / regionCount) : t;
        const prefix = regionCount ? numbered(REGIONS, t % regionCount).replace('大区', '') : '';
        teamIds.push(await ensureDepartment(trx, tenantId, parent, prefix + numbered(TEAM_NAMES, within), within + 1));
      }
      const roles = await roleIds(trx, tenantId);
      const sales = roles.get('sales');
      const manager = roles.get('manager') ?? sales;
      if (!sales || !manager) throw new Error('the tenant has no "sales" role');
      const teams: number[][] = teamIds.map(() => []);
      const rows = Array.from({ length: options.users }, (_, j) => {
        const r = new Random(options.seed, 'user', j);
        const p = person(r);
        const login = `${namePinyin(p.name).full}${String(j + 1).padStart(4, '0')}`;
        const team = j % teamIds.length;
        teams[team]!.push(j);
        return {
          login,
          name: p.name,
          job_number: `DM${String(j + 1).padStart(5, '0')}`,
          mobile: mobile(r),
          email: `${login}@example.com`,
          department_id: teamIds[team]!,
          role_id: j < teamIds.length ? manager : sales,
        };
      });
      const ids = await ensureUsers(trx, tenantId, rows);
      return { users: rows.map((row, j) => ({ id: ids[j]!, departmentId: row.department_id, team: j % teamIds.length })), teams };
    });
  }

  private async visitReports(tenantId: Id, options: DemoOptions, world: World, progress: (done: number, rows: number) => void) {
    const { time, users } = world;
    const byAuthor = new Map<number, { at: number; id: Id }[]>();
    const BATCH = 5000;
    for (let start = 0; start < options.visitReports; start += BATCH) {
      const count = Math.min(BATCH, options.visitReports - start);
      const reports: Record<string, unknown>[] = [];
      const authors: number[] = [];
      const comments: { report: number; user_id: Id; content: string; created_at: number }[] = [];
      const reads: { report: number; user_id: Id; read_at: number }[] = [];
      for (let v = start; v < start + count; v++) {
        const r = new Random(options.seed, 'visit report', v);
        const author = r.int(users.length);
        const at = Math.min(time.now - 3_600_000, time.officeTime(r, time.daysAgo(r.between(0, 900)), 17 * 60, 20 * 60));
        authors.push(author);
        reports.push({
          author_id: users[author]!.id,
          reported_at: at,
          title: `${time.date(at)} ${r.pick(['拜访总结', '外勤日报', '客户拜访报告', '周拜访汇总'])}`,
          effect: r.pick(VISIT_REPORT.effects),
          problems: r.pick(VISIT_REPORT.problems),
          suggestion: r.pick(VISIT_REPORT.suggestions),
          work_plan: r.pick(VISIT_REPORT.plans),
          status: r.chance(0.9) ? 1 : 2,
          created_at: at,
          updated_at: at,
        });
        const others = users.length > 1 ? [...new Set([otherThan(r, author, users.length), otherThan(r, author, users.length)])] : [];
        if (others.length && r.chance(0.2)) comments.push({ report: reports.length - 1, user_id: users[others[0]!]!.id, content: r.pick(VISIT_REPORT.comments), created_at: Math.min(time.now, at + r.between(1, 48) * 3_600_000) });
        if (others.length && r.chance(0.3)) {
          for (const reader of others.slice(0, r.between(1, others.length))) reads.push({ report: reports.length - 1, user_id: users[reader]!.id, read_at: Math.min(time.now, at + r.between(1, 72) * 3_600_000) });
        }
      }
      const written = await this.transaction(async (trx) => {
        const ids = await insertRows(trx, 'visit_report', tenantId, VISIT_REPORT_COLUMNS, reports);
        ids.forEach((id, k) => {
          const list = byAuthor.get(authors[k]!) ?? [];
          list.push({ at: reports[k]!.reported_at as number, id });
          byAuthor.set(authors[k]!, list);
        });
        await insertRows(trx, 'visit_report_comment', tenantId, VISIT_REPORT_COMMENT_COLUMNS, comments.map((c) => ({ ...c, report_id: ids[c.report] })), false);
        await insertRows(trx, 'visit_report_read', tenantId, VISIT_REPORT_READ_COLUMNS, reads.map((c) => ({ ...c, report_id: ids[c.report] })), false);
        return reports.length + comments.length + reads.length;
      });
      progress(start + count, written);
    }
    for (const list of byAuthor.values()) list.sort((a, b) => a.at - b.at);
    return byAuthor;
  }
}

/** First ids of a chunk's rows, per table: a row's id is its table's base plus its index in the chunk. */
interface IdBases {
  customer: number;
  contact: number;
  opportunity: number;
  followUp: number;
  plan: number;
}

/** One chunk, parents before children, local references turned into ids. Answers the rows written. */
async function writeChunk(trx: Transaction<DB>, tenantId: Id, rows: ChunkRows, bases: IdBases): Promise<number> {
  // The rows are this chunk's own: ids are filled in place rather than copied.
  const customer = (local: number) => bases.customer + local;
  const contact = (local: number | null) => (local === null ? null : bases.contact + local);
  const opportunity = (local: number | null) => (local === null ? null : bases.opportunity + local);
  const followUp = (local: number | null) => (local === null ? null : bases.followUp + local);
  rows.customers.forEach((c, i) => (c.id = customer(i)));
  await insertRows(trx, 'customer', tenantId, CUSTOMER_COLUMNS, rows.customers, false);
  const searchRows = rows.customers.map((c) => ({ customer_id: c.id, search_tokens: c.search_tokens, name_pinyin: c.name_pinyin, phones: c.phones }));
  await insertRows(trx, 'customer_search', tenantId, CUSTOMER_SEARCH_COLUMNS, searchRows, false);
  rows.contacts.forEach((c, i) => {
    c.id = contact(i);
    c.customer_id = customer(c.customer);
  });
  await insertRows(trx, 'contact', tenantId, CONTACT_COLUMNS, rows.contacts, false);
  rows.opportunities.forEach((o, i) => {
    o.id = opportunity(i);
    o.customer_id = customer(o.customer);
    o.created_by = o.owner_id;
  });
  await insertRows(trx, 'opportunity', tenantId, OPPORTUNITY_COLUMNS, rows.opportunities, false);
  rows.followUps.forEach((f, i) => {
    f.id = followUp(i);
    f.customer_id = customer(f.customer);
    f.opportunity_id = opportunity(f.opportunity);
  });
  await insertRows(trx, 'follow_up', tenantId, FOLLOW_UP_COLUMNS, rows.followUps, false);
  const links = rows.followUpContacts.map(([fu, c]) => ({ follow_up_id: followUp(fu), contact_id: contact(c) }));
  await insertRows(trx, 'follow_up_contact', tenantId, FOLLOW_UP_CONTACT_COLUMNS, links, false);
  const participants = rows.participants.map(([fu, user]) => ({ follow_up_id: followUp(fu), user_id: user }));
  await insertRows(trx, 'follow_up_participant', tenantId, PARTICIPANT_COLUMNS, participants, false);
  for (const a of rows.attachments) a.follow_up_id = followUp(a.followUp);
  await insertRows(trx, 'follow_up_attachment', tenantId, ATTACHMENT_COLUMNS, rows.attachments, false);
  rows.plans.forEach((p, i) => {
    p.id = bases.plan + i;
    p.customer_id = customer(p.customer);
    p.contact_id = contact(p.contact);
    p.source_follow_up_id = followUp(p.source);
    p.fulfilled_follow_up_id = followUp(p.fulfilled);
  });
  await insertRows(trx, 'contact_plan', tenantId, PLAN_COLUMNS, rows.plans, false);
  const tags = rows.tags.map(([c, tag]) => ({ customer_id: customer(c), tag_id: tag }));
  await insertRows(trx, 'customer_tag', tenantId, CUSTOMER_TAG_COLUMNS, tags, false);
  return (
    rows.customers.length +
    rows.contacts.length +
    rows.opportunities.length +
    rows.followUps.length +
    links.length +
    participants.length +
    rows.attachments.length +
    rows.plans.length +
    tags.length
  );
}

/** A user index other than `not`, of `count` (at least 2). */
function otherThan(r: Random, not: number, count: number): number {
  const k = r.int(count - 1);
  return k >= not ? k + 1 : k;
}

function numbered(names: readonly string[], k: number): string {
  return names[k % names.length]! + (k >= names.length ? String(Math.floor(k / names.length) + 1) : '');
}

function countsOf(options: DemoOptions): DemoCounts {
  const { customers, followUps, contacts, plans, opportunities, visitReports, users, departments } = options;
  return { customers, followUps, contacts, plans, opportunities, visitReports, users, departments };
}

function checkCounts(options: DemoOptions) {
  for (const [key, max] of Object.entries(LIMITS) as [keyof DemoCounts, number][]) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0 || value > max) throw invalidField(key, `must be a whole number from 0 to ${max.toLocaleString('en-US')}`);
  }
  if (options.users < 1) throw invalidField('users', 'must be at least 1: customers need owners');
  if (options.departments < 1) throw invalidField('departments', 'must be at least 1');
  if (options.customers === 0 && options.followUps + options.contacts + options.plans + options.opportunities > 0) {
    throw invalidField('customers', 'must be at least 1 when follow-ups, contacts, plans or opportunities are asked for');
  }
  if (!Number.isInteger(options.seed)) throw invalidField('seed', 'must be an integer');
  if (Number.isNaN(options.now.getTime())) throw invalidField('now', 'must be a valid time');
}
