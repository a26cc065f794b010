import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Contract, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import { emitEvent } from '../events/outbox.ts';
import { checkDate } from '../opportunities/opportunities.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { conflict, invalidField, notFound, staleVersion } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, pageLimit, toPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { zonedParts } from '../shared/time.ts';
import { findUser } from '../users/users.repository.ts';
import { contractsWithCustomer, recomputeLastDeal } from './contracts.repository.ts';
import {
  CONTRACT_KINDS,
  CONTRACT_STATUSES,
  type ContractFilter,
  type ContractInput,
  type ContractKind,
  type ContractQuery,
  type ContractView,
  type TransitionOptions,
} from './contracts.types.ts';

const AMOUNT = /^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$/;
const MAX_NUMBER = 50;
const MAX_TITLE = 200;
const MAX_NOTE = 5000;

type Transition = 'audit' | 'unaudit' | 'stop';

/**
 * Contracts and sample-gift orders (合同订单). A contract is visible exactly when its customer is.
 * Status moves draft → audited (audit), audited → draft (unaudit) and audited → stopped (stop);
 * stopped is final. Only drafts may be edited or deleted. Every status change recomputes the
 * customer's last deal from its audited contracts in the same transaction.
 */
export class ContractsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  async list(ctx: RequestContext, filter: ContractFilter): Promise<Page<ContractView>> {
    checkQuery(filter);
    const limit = pageLimit(filter);
    let q = contractsWithCustomer(this.db, ctx.tenant.id, filter).where(await customerVisibility(this.db, ctx));
    if (filter.cursor) {
      const [id] = decodeCursor(filter.cursor, 1);
      q = q.where('k.id', '<', requireId(id, 'cursor'));
    }
    const rows = await q.orderBy('k.id', 'desc').limit(limit + 1).execute();
    const page: Page<ContractView> = toPage(rows, limit, (row) => [row.id]);
    if (filter.withTotal) {
      const row = await contractsWithCustomer(this.db, ctx.tenant.id, filter)
        .where(await customerVisibility(this.db, ctx))
        .clearSelect()
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      page.total = Number(row.n);
    }
    return page;
  }

  async get(ctx: RequestContext, id: Id): Promise<ContractView> {
    return this.requireVisible(this.db, ctx, id);
  }

  /** By number (seed 004's orderID, 订单单号); of the given kind when one is given. */
  async getByNumber(ctx: RequestContext, number: string, kind?: ContractKind): Promise<ContractView> {
    const row = await contractsWithCustomer(this.db, ctx.tenant.id, { kind })
      .where(await customerVisibility(this.db, ctx))
      .where('k.number', '=', number.trim())
      .executeTakeFirst();
    if (!row) throw notFound(kind === 'sample_gift' ? 'order' : 'contract', number);
    return row;
  }

  async create(ctx: RequestContext, input: ContractInput & { customerId: Id; title: string; amount: string }): Promise<ContractView> {
    const customerId = requireId(input.customerId, 'customerId');
    return inTransaction(this.db, async (trx) => {
      const customer = await this.customers.requireVisible(trx, ctx, customerId);
      const values = await this.columns(trx, ctx, input, null);
      const kind = input.kind ?? 'contract';
      const ownerId = (values.owner_id as Id | undefined) ?? ctx.user?.id ?? customer.owner_id;
      if (!ownerId) throw invalidField('ownerId', 'is required: the customer has no owner and the caller is not a user');
      const row = await trx
        .insertInto('contract')
        .values({
          tenant_id: ctx.tenant.id,
          customer_id: customerId,
          kind,
          number: (values.number as string | undefined) ?? `pending-${randomUUID()}`,
          title: values.title as string,
          amount: values.amount as string,
          signed_on: (values.signed_on as string | null | undefined) ?? null,
          starts_on: (values.starts_on as string | null | undefined) ?? null,
          ends_on: (values.ends_on as string | null | undefined) ?? null,
          owner_id: ownerId,
          note: (values.note as string | null | undefined) ?? null,
          ...creationStamps(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      let created: Contract = row;
      if (values.number === undefined) {
        created = await trx
          .updateTable('contract')
          .set({ number: generatedNumber(ctx, kind, row.id) })
          .where('tenant_id', '=', ctx.tenant.id)
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      await writeAudit(trx, ctx, { entity: 'contract', entityId: row.id, action: 'create', after: created });
      await emitEvent(trx, ctx, 'contract.created', row.id, eventData(created));
      return this.requireVisible(trx, ctx, row.id);
    });
  }

  /** Changes a draft; an audited or stopped contract is refused (un-audit it first). */
  async update(ctx: RequestContext, id: Id, input: ContractInput, expectedVersion?: number): Promise<ContractView> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.lockVisible(trx, ctx, id, undefined, expectedVersion);
      if (current.status !== 'draft') throw notDraft(current);
      if (input.customerId !== undefined && input.customerId !== current.customer_id) {
        await this.customers.requireVisible(trx, ctx, requireId(input.customerId, 'customerId'));
      }
      const values = await this.columns(trx, ctx, input, current);
      values.updated_by = ctx.user?.id ?? null;
      const after = await updateVersioned<Contract>(trx, ctx, { table: 'contract', entity: 'contract', id, expectedVersion, values });
      await emitEvent(trx, ctx, 'contract.updated', id, eventData(after));
      return this.requireVisible(trx, ctx, id);
    });
  }

  /** Deletes a draft. */
  async delete(ctx: RequestContext, id: Id, expectedVersion?: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.lockVisible(trx, ctx, id, undefined, expectedVersion);
      if (current.status !== 'draft') throw notDraft(current);
      await trx.deleteFrom('contract').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'contract', entityId: id, action: 'delete', before: current });
      await emitEvent(trx, ctx, 'contract.deleted', id, { id, number: current.number, customerId: current.customer_id });
    });
  }

  /** draft → audited; a contract becomes the customer's last deal when it is the latest. */
  async audit(ctx: RequestContext, id: Id, options: TransitionOptions = {}): Promise<ContractView> {
    return this.transition(ctx, id, 'audit', options);
  }

  /** audited → draft; the customer's last deal falls back to its other audited contracts. */
  async unaudit(ctx: RequestContext, id: Id, options: TransitionOptions = {}): Promise<ContractView> {
    return this.transition(ctx, id, 'unaudit', options);
  }

  /** audited → stopped, for good; a stopped contract no longer counts as a deal. */
  async stop(ctx: RequestContext, id: Id, options: TransitionOptions = {}): Promise<ContractView> {
    return this.transition(ctx, id, 'stop', options);
  }

  private async transition(ctx: RequestContext, id: Id, action: Transition, options: TransitionOptions): Promise<ContractView> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.lockVisible(trx, ctx, id, options.kind, options.expectedVersion);
      const label = current.kind === 'sample_gift' ? 'order' : 'contract';
      const now = ctx.clock.now();
      const by = ctx.user?.id ?? null;
      let values: Record<string, unknown>;
      if (action === 'audit') {
        if (current.status === 'audited') throw conflict('contract_already_audited', `${label} ${id} is already audited`);
        if (current.status === 'stopped') throw conflict('contract_stopped', `${label} ${id} is stopped and cannot be audited again`);
        values = {
          status: 'audited',
          audited_at: now,
          audited_by: by,
          // The deal happened on the sign date (midnight, tenant time), else now.
          deal_at: current.signed_on ? sql<Date>`(${current.signed_on}::date)::timestamp AT TIME ZONE ${ctx.tenant.timezone}` : now,
        };
      } else if (action === 'unaudit') {
        if (current.status === 'draft') throw conflict('contract_not_audited', `${label} ${id} is not audited`);
        if (current.status === 'stopped') throw conflict('contract_stopped', `${label} ${id} is stopped and cannot be un-audited`);
        values = { status: 'draft', audited_at: null, audited_by: null, deal_at: null };
      } else {
        if (current.status === 'stopped') throw conflict('contract_already_stopped', `${label} ${id} is already stopped`);
        if (current.status === 'draft') throw conflict('contract_not_audited', `${label} ${id} is not audited; only an audited ${label} can be stopped`);
        values = { status: 'stopped', stopped_at: now, stopped_by: by };
      }
      values.updated_by = by;
      const after = await updateVersioned<Contract>(trx, ctx, { table: 'contract', entity: 'contract', id, values });
      await recomputeLastDeal(trx, ctx.tenant.id, current.customer_id);
      await emitEvent(trx, ctx, 'contract.updated', id, { ...eventData(after), transition: action });
      return this.requireVisible(trx, ctx, id);
    });
  }

  /**
   * Locks the customer, then the contract (that order everywhere), after checking both are
   * visible. Not-found for a contract of another kind than `kind`.
   */
  private async lockVisible(trx: Transaction<DB>, ctx: RequestContext, id: Id, kind: ContractKind | undefined, expectedVersion: number | undefined) {
    const seen = await this.requireVisible(trx, ctx, id);
    if (kind && seen.kind !== kind) throw notFound(kind === 'sample_gift' ? 'order' : 'contract', id);
    await this.customers.requireVisible(trx, ctx, seen.customer_id, { forUpdate: true });
    const current = await trx
      .selectFrom('contract')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound('contract', id);
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw staleVersion('contract', id);
    return current;
  }

  /** The contract if the caller may see its customer; not-found otherwise, like a missing id. */
  private async requireVisible(executor: Executor, ctx: RequestContext, id: Id): Promise<ContractView> {
    requireId(id, 'id');
    const row = await contractsWithCustomer(executor, ctx.tenant.id)
      .where(await customerVisibility(executor, ctx))
      .where('k.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('contract', id);
    return row;
  }

  /** Checked column values of an input; `current` null on create (then title and amount are required). */
  private async columns(trx: Transaction<DB>, ctx: RequestContext, input: ContractInput, current: Contract | null) {
    const values: Record<string, unknown> = {};
    if (input.customerId !== undefined) values.customer_id = requireId(input.customerId, 'customerId');
    if (input.kind !== undefined) {
      if (!CONTRACT_KINDS.includes(input.kind)) throw invalidField('kind', `must be one of ${CONTRACT_KINDS.join(', ')}`);
      values.kind = input.kind;
    }
    if (input.number !== undefined) {
      const number = typeof input.number === 'string' ? input.number.trim() : '';
      if (!number || number.length > MAX_NUMBER) throw invalidField('number', `must be 1 to ${MAX_NUMBER} characters`);
      values.number = number;
    }
    if (input.title !== undefined || !current) {
      const title = typeof input.title === 'string' ? input.title.trim() : '';
      if (!title || title.length > MAX_TITLE) throw invalidField('title', `is required, 1 to ${MAX_TITLE} characters`);
      values.title = title;
    }
    if (input.amount !== undefined || !current) {
      if (typeof input.amount !== 'string' || !AMOUNT.test(input.amount)) {
        throw invalidField('amount', 'is required: a decimal string ≥ 0 with at most 16 integer and 2 fractional digits, e.g. "12800.50"');
      }
      values.amount = input.amount;
    }
    for (const [key, column] of [['signedOn', 'signed_on'], ['startsOn', 'starts_on'], ['endsOn', 'ends_on']] as const) {
      const value = input[key];
      if (value !== undefined) values[column] = value === null ? null : checkDate(value, key);
    }
    const startsOn = values.starts_on !== undefined ? values.starts_on : current?.starts_on;
    const endsOn = values.ends_on !== undefined ? values.ends_on : current?.ends_on;
    if (typeof startsOn === 'string' && typeof endsOn === 'string' && endsOn < startsOn) throw invalidField('endsOn', 'must not be before startsOn');
    if (input.note !== undefined) {
      if (input.note !== null && input.note.length > MAX_NOTE) throw invalidField('note', `must be at most ${MAX_NOTE} characters`);
      values.note = input.note;
    }
    if (input.ownerId !== undefined) {
      const owner = await findUser(trx, ctx.tenant.id, requireId(input.ownerId, 'ownerId'));
      if (!owner) throw invalidField('ownerId', `user ${input.ownerId} does not exist`, 'reference_not_found');
      values.owner_id = owner.id;
    }
    return values;
  }
}

function checkQuery(query: ContractQuery): void {
  if (query.customerId !== undefined) requireId(query.customerId, 'customerId');
  if (query.ownerId !== undefined) requireId(query.ownerId, 'ownerId');
  if (query.kind !== undefined && !CONTRACT_KINDS.includes(query.kind)) throw invalidField('kind', `must be one of ${CONTRACT_KINDS.join(', ')}`);
  if (query.status !== undefined && !CONTRACT_STATUSES.includes(query.status)) {
    throw invalidField('status', `must be one of ${CONTRACT_STATUSES.join(', ')}`);
  }
}

const notDraft = (current: Contract) =>
  current.status === 'stopped'
    ? conflict('contract_stopped', `contract ${current.id} is stopped and can no longer be changed`)
    : conflict('contract_not_draft', `contract ${current.id} is audited; un-audit it before changing or deleting it`);

/** HT-20261122-42 for a contract, YP-20261122-42 for a sample-gift order: date in the tenant's zone. */
function generatedNumber(ctx: RequestContext, kind: ContractKind, id: Id): string {
  const p = zonedParts(ctx.clock.now(), ctx.tenant.timezone);
  return `${kind === 'sample_gift' ? 'YP' : 'HT'}-${p.year}${p.month}${p.day}-${id}`;
}

const eventData = (row: Contract) => ({
  id: row.id,
  number: row.number,
  customerId: row.customer_id,
  kind: row.kind,
  status: row.status,
  amount: row.amount,
});
