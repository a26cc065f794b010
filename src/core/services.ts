import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AuditService } from './audit/audit.service.ts';
import { AuthService } from './auth/auth.service.ts';
import { CredentialCache, DEFAULT_CREDENTIAL_TTL_MS } from './auth/credentials.ts';
import { ContactPlansService } from './contact-plans/contact-plans.service.ts';
import { ContactsService } from './contacts/contacts.service.ts';
import { CustomFieldsService } from './custom-fields/custom-fields.service.ts';
import { CustomersService } from './customers/customers.service.ts';
import { DemoService } from './demo/demo.service.ts';
import { DepartmentsService } from './departments/departments.service.ts';
import { DictionariesService } from './dictionaries/dictionaries.service.ts';
import { FavouritesService } from './favourites/favourites.service.ts';
import { FilesService } from './files/files.service.ts';
import { FileStore } from './files/files.store.ts';
import { FollowUpDetailsService } from './follow-ups/follow-up-details.service.ts';
import { FollowUpsService } from './follow-ups/follow-ups.service.ts';
import { IdempotencyService } from './idempotency/idempotency.service.ts';
import { NotificationsService } from './notifications/notifications.service.ts';
import { OpportunitiesService } from './opportunities/opportunities.service.ts';
import { PoolMovesService } from './pool/pool-moves.service.ts';
import { PoolsService } from './pool/pools.service.ts';
import { ProductLinesService } from './product-lines/product-lines.service.ts';
import { RolesService } from './roles/roles.service.ts';
import { SharesService } from './shares/shares.service.ts';
import { TagsService } from './tags/tags.service.ts';
import { TenantsService } from './tenants/tenants.service.ts';
import { UsersService } from './users/users.service.ts';
import { VisitReportsService } from './visit-reports/visit-reports.service.ts';
import { WebhooksService } from './webhooks/webhooks.service.ts';
import { CallsService } from './calls/calls.service.ts';
import { NumberLocksService } from './calls/number-locks.service.ts';
import { ContractsService } from './contracts/contracts.service.ts';
import { ECommerceService } from './ecommerce/ecommerce.service.ts';
import { SiteKeysService } from './site-keys/site-keys.service.ts';
import { outboxSmsSender, type SmsSender } from './sms/sms.sender.ts';
import { SmsService } from './sms/sms.service.ts';
import { TimelineService } from './timeline/timeline.service.ts';

export interface ServiceOptions {
  /** Where uploaded files are kept; uploads fail without it. */
  filesDir?: string | undefined;
  /** Largest accepted upload in bytes (default 20 MiB). */
  fileLimit?: number | undefined;
  /** How long a token's credentials are kept between lookups, in ms (default 10 s; 0: never kept). */
  credentialTtlMs?: number | undefined;
  /** Where SMS go; default: recorded as sent in the sms_outbox table (no network). */
  smsSender?: SmsSender | undefined;
}

/** Every core service, built once per process over one database. */
export function createServices(db: Kysely<DB>, options: ServiceOptions = {}) {
  const credentials = new CredentialCache(options.credentialTtlMs ?? DEFAULT_CREDENTIAL_TTL_MS);
  const users = new UsersService(db, credentials);
  const auth = new AuthService(db, credentials);
  const customFields = new CustomFieldsService(db);
  const customers = new CustomersService(db, customFields);
  const followUps = new FollowUpsService(db, customFields);
  const tenants = new TenantsService(db, users, auth);
  const pools = new PoolsService(db, customers);
  return {
    customFields,
    customers,
    contacts: new ContactsService(db, customers, customFields),
    tags: new TagsService(db),
    shares: new SharesService(db, customers),
    favourites: new FavouritesService(db, customers),
    opportunities: new OpportunitiesService(db, customers, customFields),
    followUps,
    followUpDetails: new FollowUpDetailsService(db),
    contactPlans: new ContactPlansService(db, customers, followUps),
    visitReports: new VisitReportsService(db, followUps),
    pools,
    productLines: new ProductLinesService(db),
    poolMoves: new PoolMovesService(db, customers, pools),
    audit: new AuditService(db),
    auth,
    departments: new DepartmentsService(db),
    dictionaries: new DictionariesService(db),
    files: new FilesService(db, new FileStore(options.filesDir), options.fileLimit),
    idempotency: new IdempotencyService(db),
    notifications: new NotificationsService(db),
    roles: new RolesService(db, credentials),
    tenants,
    demo: new DemoService(db, tenants),
    users,
    webhooks: new WebhooksService(db),
    contracts: new ContractsService(db, customers),
    calls: new CallsService(db, customers),
    numberLocks: new NumberLocksService(db),
    sms: new SmsService(db, options.smsSender ?? outboxSmsSender),
    siteKeys: new SiteKeysService(db),
    ecommerce: new ECommerceService(db, customers),
    timeline: new TimelineService(db, customers),
  };
}

export type Services = ReturnType<typeof createServices>;
