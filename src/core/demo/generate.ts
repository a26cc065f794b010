import type { Id } from '../../db/schema.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { normalisePhone, searchFields } from '../customers/search.ts';
import { summarise } from '../follow-ups/plain-text.ts';
import { asContent, company, email, followUpText, jitter, landline, mobile, person, pickCity, salutation, street } from './builders.ts';
import {
  ATTACHMENTS,
  CONTACT_DEPARTMENTS,
  COST_NOTES,
  LEAD_PLATFORMS,
  OPPORTUNITY_SUFFIXES,
  PLAN_CONTENTS,
  PLAN_TITLES,
  type PhraseKind,
  POSITIONS,
  PRODUCTS,
} from './pools.ts';
import { apportion, Random } from './random.ts';
import { DAY, type Timeline } from './timeline.ts';

/** Customers are generated in fixed groups; the size is part of what a seed means, so it is a constant. */
export const CHUNK = 1000;

export interface DemoUser {
  id: Id;
  departmentId: Id;
  team: number;
}

/** Everything generation needs from the database, read once before the first chunk. */
export interface World {
  seed: number;
  time: Timeline;
  users: DemoUser[];
  /** User indexes by team. */
  teams: number[][];
  /** Active dictionary items by dictionary, as (code, id). */
  dictionary: ReadonlyMap<string, readonly { code: number; id: Id }[]>;
  tagIds: Id[];
  productLineId: Id | null;
  /** Visit reports by author index, sorted by time. */
  reports: ReadonlyMap<number, readonly { at: number; id: Id }[]>;
}

type Row = Record<string, unknown>;

/** A chunk's rows; references to rows of the same chunk are local indexes, resolved when written. */
export interface ChunkRows {
  customers: Row[];
  contacts: (Row & { customer: number })[];
  opportunities: (Row & { customer: number })[];
  followUps: (Row & { customer: number; opportunity: number | null })[];
  /** [follow-up, contact] */
  followUpContacts: [number, number][];
  /** [follow-up, user id] */
  participants: [number, Id][];
  attachments: (Row & { followUp: number })[];
  plans: (Row & { customer: number; contact: number | null; source: number | null; fulfilled: number | null })[];
  /** [customer, tag id] */
  tags: [number, Id][];
}

export interface ChunkShare {
  /** Index of the chunk's first customer in the whole run. */
  first: number;
  customers: number;
  followUps: number;
  contacts: number;
  opportunities: number;
  plans: number;
}

/** How many of each kind of row chunk `index` gets: an exact share of each total. */
export function chunkShare(index: number, totals: { customers: number; followUps: number; contacts: number; opportunities: number; plans: number }): ChunkShare {
  const first = index * CHUNK;
  const last = Math.min(totals.customers, first + CHUNK);
  const share = (total: number) => Math.floor((last * total) / totals.customers) - Math.floor((first * total) / totals.customers);
  return {
    first,
    customers: last - first,
    followUps: share(totals.followUps),
    contacts: share(totals.contacts),
    opportunities: share(totals.opportunities),
    plans: share(totals.plans),
  };
}

const KINDS: [PhraseKind, number][] = [
  ['call', 40],
  ['visit', 20],
  ['message', 14],
  ['mail', 8],
  ['meeting', 6],
  ['deal', 4],
  ['other', 3],
];

/** Dictionary codes (see dictionaries/catalog.ts) each kind of note is filed under. */
const KIND_CODES: Record<PhraseKind, { type: number[]; route: number | null; event: number }> = {
  call: { type: [1], route: 1, event: 3 },
  visit: { type: [2], route: 4, event: 2 },
  message: { type: [3, 5], route: 1, event: 1 },
  mail: { type: [4], route: 3, event: 1 },
  meeting: { type: [6], route: 4, event: 2 },
  deal: { type: [2, 1], route: 4, event: 4 },
  other: { type: [8], route: null, event: 1 },
};

const STAGES: [number, number][] = [
  [1, 25],
  [2, 20],
  [3, 18],
  [4, 12],
  [5, 15],
  [6, 10],
];
const WON_STAGE = 5;
/** Contact purposes once a customer has bought: care, after-sales visit, support, training. */
const AFTER_SALE_PURPOSES = [2, 3, 5, 7];
const LOST_STAGE = 6;

/** Builds the rows of one chunk of customers with everything that hangs off them. */
export class ChunkBuilder {
  private readonly rows: ChunkRows = { customers: [], contacts: [], opportunities: [], followUps: [], followUpContacts: [], participants: [], attachments: [], plans: [], tags: [] };

  constructor(
    private readonly world: World,
    /** Customer names already used in this run: names stay unique within a tenant's demo. */
    private readonly usedNames: Set<string>,
  ) {}

  private code(dictionary: DictionaryName, code: number | null): Id | null {
    if (code === null) return null;
    return this.world.dictionary.get(dictionary)?.find((item) => item.code === code)?.id ?? null;
  }

  private any(r: Random, dictionary: DictionaryName, weights?: readonly (readonly [number, number])[]): Id | null {
    const items = this.world.dictionary.get(dictionary);
    if (!items?.length) return null;
    if (weights) {
      const id = this.code(dictionary, r.weighted(weights));
      if (id) return id;
    }
    return r.pick(items).id;
  }

  /**
   * Builds the chunk, yielding to the event loop every few customers so that the previous
   * chunk's statements keep flowing to the database meanwhile.
   */
  async build(share: ChunkShare, yieldEvery = 50): Promise<ChunkRows> {
    const { seed } = this.world;
    const weights = (stream: string, shape: (r: Random) => number) =>
      Array.from({ length: share.customers }, (_, k) => shape(new Random(seed, stream, share.first + k)));
    const exp = (r: Random) => -Math.log(1 - r.next());
    const followUps = apportion(share.followUps, weights('follow-up weight', exp));
    const contacts = apportion(share.contacts, weights('contact weight', (r) => (r.chance(0.45) ? 0 : exp(r))));
    const opportunities = apportion(share.opportunities, weights('opportunity weight', (r) => (r.chance(0.3) ? 0 : exp(r))));
    const plans = apportion(share.plans, weights('plan weight', exp));
    for (let k = 0; k < share.customers; k++) {
      this.customer(share.first + k, { followUps: followUps[k]!, contacts: contacts[k]!, opportunities: opportunities[k]!, plans: plans[k]! });
      if (k % yieldEvery === yieldEvery - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return this.rows;
  }

  private customerName(r: Random, index: number): { name: string; individual: boolean; company: ReturnType<typeof company> | null } {
    // People share names (there are many 张伟); companies do not.
    if (r.chance(0.08)) return { name: person(r).name, individual: true, company: null };
    for (let attempt = 0; attempt < 8; attempt++) {
      const made = company(r);
      if (!this.usedNames.has(made.name)) {
        this.usedNames.add(made.name);
        return { name: made.name, individual: false, company: made };
      }
    }
    const made = company(r);
    const name = `${made.name}（${index + 1}）`;
    this.usedNames.add(name);
    return { name, individual: false, company: made };
  }

  private customer(index: number, counts: { followUps: number; contacts: number; opportunities: number; plans: number }) {
    const { time, users, teams, seed } = this.world;
    const r = new Random(seed, 'customer', index);
    const local = this.rows.customers.length;
    const { name, individual, company: made } = this.customerName(r, index);
    const city = made?.city ?? pickCity(r);
    const phones = individual || r.chance(0.75) ? [mobile(r)] : [];
    if (!individual && (phones.length === 0 || r.chance(0.3))) phones.push(landline(r, city));
    if (r.chance(0.04)) phones.push(mobile(r));
    const createdAt = time.officeTime(r, time.daysAgo(r.between(20, 1000)));
    const inPool = users.length === 0 || r.chance(0.08);
    const ownerIndex = users.length ? r.int(users.length) : -1;
    const owner = ownerIndex >= 0 ? users[ownerIndex]! : null;
    const poolMovedAt = inPool ? time.between(r, createdAt + 30 * DAY, time.now - DAY) : null;
    const digits = [...new Set(phones.map(normalisePhone))];
    const search = searchFields(name, digits);

    // Contacts first: follow-up notes mention them by name.
    const fr = new Random(seed, 'follow-ups', index);
    const contactNames: string[] = [];
    const contactBase = this.rows.contacts.length;
    for (let c = 0; c < counts.contacts; c++) {
      const p = individual && c === 0 ? { ...person(fr), name } : person(fr);
      const position = fr.weighted(POSITIONS);
      contactNames.push(salutation(fr, p, position));
      this.rows.contacts.push({
        customer: local,
        name: p.name,
        gender: p.gender,
        position,
        department: fr.pick(CONTACT_DEPARTMENTS),
        mobile: mobile(fr),
        phone: fr.chance(0.3) ? landline(fr, city) : null,
        email: fr.chance(0.4) ? email(fr, p.name) : null,
        wechat: fr.chance(0.3) ? `wxid_${fr.hex(10)}` : null,
        birthday: fr.chance(0.15) ? `${fr.between(1965, 1998)}-${String(fr.between(1, 12)).padStart(2, '0')}-${String(fr.between(1, 28)).padStart(2, '0')}` : null,
        is_main: c === 0,
        created_at: createdAt,
        updated_at: createdAt,
      });
    }

    // Opportunities.
    const opportunityBase = this.rows.opportunities.length;
    const opportunities: { created: number; won: boolean; closed: number | null; amount: string }[] = [];
    for (let o = 0; o < counts.opportunities; o++) {
      const stage = fr.weighted(STAGES);
      const created = time.between(fr, createdAt, time.now - 7 * DAY);
      const status = stage === WON_STAGE ? 'won' : stage === LOST_STAGE ? 'lost' : 'open';
      const closeDate = created + fr.between(20, 150) * DAY;
      const closed = status === 'open' ? null : Math.min(closeDate, time.between(fr, created, time.now));
      const amount = `${fr.between(1, 400) * 5000 + (fr.chance(0.2) ? fr.between(1, 99) * 100 : 0)}.00`;
      opportunities.push({ created, won: status === 'won', closed, amount });
      this.rows.opportunities.push({
        customer: local,
        name: `${made ? made.brand : name}${fr.pick(PRODUCTS)}${fr.pick(OPPORTUNITY_SUFFIXES)}`,
        type_id: this.any(fr, 'opportunity_type'),
        source_id: this.any(fr, 'customer_source'),
        stage_id: this.code('opportunity_stage', stage),
        amount,
        expected_close_date: time.date(closed ?? closeDate),
        owner_id: owner?.id ?? users[fr.int(users.length)]?.id ?? null,
        status,
        lose_reason_id: status === 'lost' ? this.any(fr, 'lose_reason') : null,
        lose_remark: status === 'lost' && fr.chance(0.5) ? '客户最终选择了其他供应商' : null,
        last_contact_at: null,
        last_contact_user_id: null,
        created_at: created,
        updated_at: closed ?? created,
      });
    }

    // Follow-ups, oldest first: the last one is the customer's latest.
    const end = poolMovedAt ?? time.now;
    const times = Array.from({ length: counts.followUps }, () => time.between(fr, createdAt, end)).sort((a, b) => a - b);
    const followUpBase = this.rows.followUps.length;
    const team = owner ? teams[owner.team]! : [];
    let latest: { at: number; text: string; user: Id } | null = null;
    for (const at of times) {
      const kind = fr.weighted(KINDS);
      const codes = KIND_CODES[kind];
      const userIndex = owner && fr.chance(0.8) ? ownerIndex : team.length > 1 && fr.chance(0.75) ? fr.pick(team) : fr.int(users.length);
      const user = users[userIndex]!;
      const contactIndex = contactNames.length && fr.chance(0.65) ? fr.int(contactNames.length) : null;
      const text = followUpText(fr, kind, contactIndex === null ? null : contactNames[contactIndex]!);
      const { html, text: content } = asContent(fr, text.parts);
      // Draws below never depend on how times fall, so the same seed builds the same rows
      // whatever `now` is (only the times move).
      let opportunity: number | null = null;
      const aboutOpportunity = fr.chance(0.4);
      const whichOpportunity = fr.next();
      if (opportunities.length && aboutOpportunity) {
        const open = opportunities.flatMap((o, i) => (o.created <= at ? [i] : []));
        if (open.length) opportunity = open[Math.floor(whichOpportunity * open.length)]!;
      }
      const afterSale = fr.pick(AFTER_SALE_PURPOSES);
      const visit = kind === 'visit' || kind === 'meeting';
      const fu = this.rows.followUps.length;
      const site = visit && fr.chance(0.7);
      this.rows.followUps.push({
        customer: local,
        opportunity: opportunity === null ? null : opportunityBase + opportunity,
        type_id: this.code('follow_up_type', fr.pick(codes.type)),
        purpose_id: this.code('contact_purpose', opportunities.length && opportunities.some((o) => o.won && o.closed! < at) ? afterSale : 1),
        route_id: this.code('contact_route', codes.route),
        event_id: this.code('visit_event', codes.event),
        title: text.title,
        content: html,
        content_text: content,
        followed_at: at,
        site: site ? street(fr, city) : null,
        latitude: site ? jitter(fr, city.lat, 0.08) : null,
        longitude: site ? jitter(fr, city.lng, 0.08) : null,
        cost: visit && fr.chance(0.3) ? `${fr.between(20, 300)}.00` : null,
        cost_note: null,
        user_id: user.id,
        visit_report_id: visit ? this.reportNear(fr, userIndex, at) : null,
        created_by: user.id,
        created_at: Math.min(time.now, at + fr.int(7_200_000)),
      });
      const row = this.rows.followUps[fu]!;
      row.updated_at = row.created_at;
      if (row.cost) row.cost_note = fr.pick(COST_NOTES);
      if (contactIndex !== null) {
        this.rows.followUpContacts.push([fu, contactBase + contactIndex]);
        if (contactNames.length > 1 && fr.chance(0.12)) {
          const second = (contactIndex + 1 + fr.int(contactNames.length - 1)) % contactNames.length;
          this.rows.followUpContacts.push([fu, contactBase + second]);
        }
      }
      if (users.length > 1 && fr.chance(0.08)) {
        const added = new Set([userIndex]);
        for (const other of team.length > 2 ? fr.sample(team, 2) : [fr.int(users.length), fr.int(users.length)]) {
          if (added.has(other) || !fr.chance(0.7)) continue;
          added.add(other);
          this.rows.participants.push([fu, users[other]!.id]);
        }
      }
      if (fr.chance(0.03)) {
        const [fileName, extension] = fr.pick(ATTACHMENTS);
        this.rows.attachments.push({ followUp: fu, name: fileName, url: `https://files.example.com/demo/${fr.hex(24)}.${extension}`, created_at: row.created_at });
      }
      if (opportunity !== null) {
        const o = this.rows.opportunities[opportunityBase + opportunity]!;
        o.last_contact_at = at;
        o.last_contact_user_id = user.id;
      }
      latest = { at, text: content || text.title || '', user: user.id };
    }

    // Contact plans: done ones fulfilled by a follow-up, a few cancelled, the rest pending.
    const pr = new Random(seed, 'plans', index);
    let nextFollowAt: number | null = null;
    for (let p = 0; p < counts.plans; p++) {
      const roll = pr.next();
      const done = roll < 0.4 && times.length > 0;
      const cancelled = !done && roll < 0.46;
      const pending = !done && !cancelled && !inPool;
      const fulfilled = done ? pr.int(times.length) : null;
      const plannedAt = done
        ? Math.max(createdAt, times[fulfilled!]! - pr.int(2 * DAY))
        : pending
          ? time.officeTime(pr, time.now + (pr.between(-3, 30) * DAY))
          : time.between(pr, createdAt, end);
      if (pending && (nextFollowAt === null || plannedAt < nextFollowAt)) nextFollowAt = plannedAt;
      const source = done ? (fulfilled! > 0 ? followUpBase + fulfilled! - 1 : null) : times.length && pr.chance(0.6) ? followUpBase + times.length - 1 : null;
      const planOwner = owner?.id ?? users[pr.int(users.length)]?.id;
      if (!planOwner) break;
      const title = pr.pick(PLAN_TITLES);
      this.rows.plans.push({
        customer: local,
        contact: contactNames.length && pr.chance(0.5) ? contactBase + pr.int(contactNames.length) : null,
        source,
        fulfilled: done ? followUpBase + fulfilled! : null,
        purpose_id: this.any(pr, 'contact_purpose', [
          [1, 6],
          [2, 2],
          [3, 2],
        ]),
        route_id: this.any(pr, 'contact_route', [
          [1, 6],
          [4, 3],
          [3, 1],
        ]),
        title,
        content: pr.chance(0.7) ? pr.pick(PLAN_CONTENTS) : null,
        planned_at: plannedAt,
        owner_id: planOwner,
        status: done ? 'done' : pending ? 'pending' : 'cancelled',
        done_at: done ? times[fulfilled!]! : null,
        created_by: planOwner,
        created_at: Math.min(plannedAt, source !== null ? (this.rows.followUps[source]!.followed_at as number) : createdAt),
        updated_at: done ? times[fulfilled!]! : plannedAt,
      });
    }

    const won = opportunities.filter((o) => o.won).sort((a, b) => a.closed! - b.closed!);
    const lastDeal = won[won.length - 1];
    const open = opportunities.some((o) => !o.won && o.closed === null);
    const lifecycle = won.length > 1 ? 4 : won.length === 1 ? 3 : inPool && r.chance(0.5) ? 5 : open || counts.followUps > 3 ? 2 : 1;
    const isLead = r.chance(0.05);
    const lastOwner = inPool ? users[r.int(users.length)] : undefined;
    for (const tagId of this.world.tagIds.length && r.chance(0.25) ? r.sample(this.world.tagIds, r.between(1, 2)) : []) this.rows.tags.push([local, tagId]);
    this.rows.customers.push({
      name,
      ...search,
      kind_id: this.code('customer_kind', individual ? 2 : 1),
      type_id: this.any(r, 'customer_type', [
        [2, 15],
        [3, 50],
        [5, 10],
        [6, 15],
        [7, 10],
      ]),
      source_id: this.any(r, 'customer_source', [
        [1, 15],
        [2, 25],
        [3, 20],
        [4, 8],
        [5, 5],
        [6, 22],
        [7, 5],
      ]),
      grade_id: this.any(r, 'customer_grade', [
        [1, 10],
        [2, 30],
        [3, 40],
        [4, 20],
      ]),
      lifecycle_id: this.code('lifecycle_stage', lifecycle),
      category: made?.industry.category ?? null,
      phone: phones[0] ?? null,
      phones: digits,
      email: individual && r.chance(0.3) ? email(r, name) : null,
      address: r.chance(0.8) ? street(r, city) : null,
      region_code: city.code,
      region_name: city.province === `${city.name}市` ? city.province : `${city.province}/${city.name}市`,
      note: r.chance(0.05) ? '客户要求只在工作日联系' : null,
      owner_id: inPool ? null : (owner?.id ?? null),
      owner_department_id: inPool ? null : (owner?.departmentId ?? null),
      last_owner_id: lastOwner?.id ?? null,
      product_line_id: this.world.productLineId,
      assigned_at: inPool ? null : createdAt,
      is_won: won.length > 0,
      is_lead: isLead,
      first_assigned_at: isLead && !inPool ? createdAt : null,
      lead_external_id: isLead ? `L${r.digits(10)}` : null,
      lead_platform: isLead ? r.pick(LEAD_PLATFORMS) : null,
      is_locked: !inPool && r.chance(0.03),
      in_pool: inPool,
      pool_moves: inPool ? r.between(1, 3) : 0,
      pool_moved_at: poolMovedAt,
      pool_move_kind: inPool ? (r.chance(0.7) ? 'system' : 'manual') : null,
      pool_reason: inPool ? r.pick(['超过 30 天未跟进', '超过 90 天未成交', '业务员离职', '客户无需求，主动释放']) : null,
      last_follow_at: latest?.at ?? null,
      last_follow_summary: latest ? summarise(latest.text) || null : null,
      last_follow_user_id: latest?.user ?? null,
      next_follow_at: nextFollowAt,
      last_deal_at: lastDeal?.closed ?? null,
      last_deal_amount: lastDeal?.amount ?? null,
      opportunity_count: counts.opportunities,
      created_via: 'import',
      created_by: owner?.id ?? null,
      created_at: createdAt,
      updated_at: Math.max(createdAt, latest?.at ?? 0, poolMovedAt ?? 0),
    });
  }

  /** The author's visit report filed within five days after a visit, if there is one (half the time). */
  private reportNear(r: Random, userIndex: number, at: number): Id | null {
    const reports = this.world.reports.get(userIndex);
    if (!reports?.length || !r.chance(0.5)) return null;
    let lo = 0;
    let hi = reports.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (reports[mid]!.at < at) lo = mid + 1;
      else hi = mid;
    }
    const report = reports[lo];
    return report && report.at - at <= 5 * DAY ? report.id : null;
  }
}
