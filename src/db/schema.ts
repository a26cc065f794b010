import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Ids are int8 on the wire from both drivers and kept as decimal strings: never a float. */
export type Id = string;
type GeneratedId = ColumnType<Id, never, never>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantTable {
  id: GeneratedId;
  slug: string;
  name: string;
  timezone: Generated<string>;
  settings: Generated<Json<Record<string, unknown>>>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProductLineTable {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  is_default: Generated<boolean>;
  created_at: CreatedAt;
}

export interface DepartmentTable {
  tenant_id: Id;
  id: GeneratedId;
  parent_id: Id | null;
  name: string;
  sort: Generated<number>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type DataScope = 'own' | 'department' | 'department_tree' | 'all';

export interface RoleTable {
  tenant_id: Id;
  id: GeneratedId;
  code: string;
  name: string;
  permissions: string[];
  data_scope: DataScope;
  is_system: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AppUserTable {
  tenant_id: Id;
  id: GeneratedId;
  login: string;
  name: string;
  job_number: string | null;
  email: string | null;
  mobile: string | null;
  avatar_url: string | null;
  department_id: Id | null;
  role_id: Id;
  password_hash: string | null;
  status: Generated<'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApiTokenTable {
  tenant_id: Id;
  id: GeneratedId;
  user_id: Id;
  kind: 'api' | 'session';
  name: string;
  token_hash: string;
  token_prefix: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export interface DictionaryItemTable {
  tenant_id: Id;
  id: GeneratedId;
  dictionary: string;
  code: number;
  parent_id: Id | null;
  name: string;
  color: string | null;
  sort: Generated<number>;
  is_default: Generated<boolean>;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AuditLogTable {
  tenant_id: Id;
  id: GeneratedId;
  at: CreatedAt;
  user_id: Id | null;
  entity: string;
  entity_id: string;
  action: string;
  changes: Json<Record<string, { before?: unknown; after?: unknown }>>;
  api: string;
  request_id: string | null;
}

export interface IdempotencyKeyTable {
  tenant_id: Id;
  user_id: Id;
  key: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  response_headers: Json<Record<string, string>> | null;
  created_at: CreatedAt;
}

type Versioned = {
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

export type CustomFieldValues = Record<string, unknown>;

export interface StoredFileTable {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  content_type: string;
  size: string;
  sha256: string;
  storage_key: string;
  created_by: Id | null;
  created_at: CreatedAt;
}

export type CustomFieldModule = 'customer' | 'contact' | 'follow_up' | 'opportunity';
export type CustomFieldKind =
  | 'input' | 'textarea' | 'select' | 'radio' | 'checkbox' | 'datetime' | 'number'
  | 'telephone' | 'email' | 'city' | 'cascade' | 'datasource' | 'attachment';
export interface CustomFieldOption {
  id: string;
  name: string;
  parentId?: string | null;
}

export interface CustomFieldTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  module: CustomFieldModule;
  key: string;
  kind: CustomFieldKind;
  label: string;
  options: Json<CustomFieldOption[]>;
  required: Generated<boolean>;
  sort: Generated<number>;
  is_active: Generated<boolean>;
}

export interface CustomerTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  name_pinyin: string;
  name_initials: string;
  kind_id: Id | null;
  type_id: Id | null;
  source_id: Id | null;
  grade_id: Id | null;
  lifecycle_id: Id | null;
  last_lifecycle_id: Id | null;
  category: string | null;
  phone: string | null;
  phones: string[];
  email: string | null;
  address: string | null;
  region_code: string | null;
  region_name: string | null;
  note: string | null;
  owner_id: Id | null;
  owner_department_id: Id | null;
  last_owner_id: Id | null;
  service_owner_id: Id | null;
  service_department_id: Id | null;
  product_line_id: Id | null;
  assigned_at: Date | null;
  is_won: Generated<boolean>;
  is_lead: Generated<boolean>;
  lead_claimer_id: Id | null;
  first_assigned_at: Date | null;
  lead_external_id: string | null;
  lead_platform: string | null;
  lead_blacklisted: Generated<boolean>;
  lead_ocpc_data: Json<unknown> | null;
  is_locked: Generated<boolean>;
  in_pool: Generated<boolean>;
  pool_moves: Generated<number>;
  pool_moved_at: Date | null;
  pool_move_kind: 'system' | 'manual' | null;
  pool_reason: string | null;
  /** The pool the customer is in or returns to; null: the tenant's default pool. */
  pool_id: Id | null;
  last_follow_at: Date | null;
  last_follow_summary: string | null;
  last_follow_user_id: Id | null;
  next_follow_at: Date | null;
  last_deal_at: Date | null;
  last_deal_amount: string | null;
  opportunity_count: Generated<number>;
  created_via: Generated<'manual' | 'import' | 'api' | 'web_form'>;
  custom_fields: Generated<Json<CustomFieldValues>>;
  created_by: Id | null;
  updated_by: Id | null;
  deleted_by: Id | null;
  deleted_at: Date | null;
}

/** What a customer is searched by (0019), written with the customer; see customers.repository.ts. */
export interface CustomerSearchTable {
  tenant_id: Id;
  customer_id: Id;
  search_tokens: string[];
  name_pinyin: string;
  phones: string[];
  custom_fields: Json<CustomFieldValues>;
}

export interface TagTable {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  color: string | null;
  created_at: CreatedAt;
}

export interface CustomerTagTable {
  tenant_id: Id;
  customer_id: Id;
  tag_id: Id;
}

export interface CustomerShareTable {
  tenant_id: Id;
  customer_id: Id;
  user_id: Id;
  shared_by: Id | null;
  created_at: CreatedAt;
}

export interface CustomerFavouriteTable {
  tenant_id: Id;
  customer_id: Id;
  user_id: Id;
  marker_id: Id | null;
  created_at: CreatedAt;
}

export interface ContactTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  customer_id: Id;
  name: string;
  gender: Generated<'male' | 'female' | 'unknown'>;
  position: string | null;
  department: string | null;
  mobile: string | null;
  phone: string | null;
  email: string | null;
  wechat: string | null;
  birthday: string | null;
  address: string | null;
  note: string | null;
  is_main: Generated<boolean>;
  custom_fields: Generated<Json<CustomFieldValues>>;
  created_by: Id | null;
  updated_by: Id | null;
  deleted_at: Date | null;
}

export interface OpportunityTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  customer_id: Id;
  name: string;
  type_id: Id | null;
  source_id: Id | null;
  stage_id: Id | null;
  amount: string | null;
  expected_close_date: string | null;
  owner_id: Id | null;
  status: Generated<'open' | 'won' | 'lost'>;
  lose_reason_id: Id | null;
  lose_remark: string | null;
  last_contact_at: Date | null;
  last_contact_user_id: Id | null;
  custom_fields: Generated<Json<CustomFieldValues>>;
  created_by: Id | null;
  updated_by: Id | null;
  deleted_at: Date | null;
}

export interface VisitReportTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  author_id: Id;
  reported_at: Date;
  title: string;
  effect: string | null;
  problems: string | null;
  suggestion: string | null;
  work_plan: string | null;
  status: Generated<number>;
  kind: Generated<number>;
  note: string | null;
}

export interface VisitReportCommentTable {
  tenant_id: Id;
  id: GeneratedId;
  report_id: Id;
  user_id: Id;
  content: string;
  created_at: CreatedAt;
}

export interface VisitReportReadTable {
  tenant_id: Id;
  report_id: Id;
  user_id: Id;
  read_at: CreatedAt;
}

export interface FollowUpTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  customer_id: Id;
  opportunity_id: Id | null;
  type_id: Id | null;
  purpose_id: Id | null;
  route_id: Id | null;
  event_id: Id | null;
  title: string | null;
  content: string;
  content_text: string;
  followed_at: Date;
  site: string | null;
  latitude: string | null;
  longitude: string | null;
  cost: string | null;
  cost_note: string | null;
  note: string | null;
  user_id: Id;
  visit_report_id: Id | null;
  custom_fields: Generated<Json<CustomFieldValues>>;
  created_by: Id | null;
  updated_by: Id | null;
}

export interface FollowUpContactTable {
  tenant_id: Id;
  follow_up_id: Id;
  contact_id: Id;
}

export interface FollowUpParticipantTable {
  tenant_id: Id;
  follow_up_id: Id;
  user_id: Id;
}

export interface FollowUpAttachmentTable {
  tenant_id: Id;
  id: GeneratedId;
  follow_up_id: Id;
  name: string;
  url: string | null;
  file_id: Id | null;
  business_code: string | null;
  created_at: CreatedAt;
}

export interface ContactPlanTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  customer_id: Id;
  contact_id: Id | null;
  purpose_id: Id | null;
  route_id: Id | null;
  title: string;
  content: string | null;
  planned_at: Date;
  owner_id: Id;
  status: Generated<'pending' | 'done' | 'cancelled'>;
  source_follow_up_id: Id | null;
  fulfilled_follow_up_id: Id | null;
  done_at: Date | null;
  created_by: Id | null;
  updated_by: Id | null;
}

export interface PoolTable {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  is_default: Generated<boolean>;
  member_user_ids: Generated<Id[]>;
  member_department_ids: Generated<Id[]>;
  admin_user_ids: Generated<Id[]>;
  plan_handling: Generated<'cancel' | 'transfer'>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PoolRuleTable {
  tenant_id: Id;
  pool_id: Id;
  recycle_no_follow_days: number | null;
  recycle_no_deal_days: number | null;
  grade_days: ColumnType<Record<string, number>, string | undefined, string>;
  exempt_locked: Generated<boolean>;
  exempt_won: Generated<boolean>;
  exempt_open_opportunities: Generated<boolean>;
  notice_days: Generated<number>;
  owner_cap: number | null;
  cap_counts_won: Generated<boolean>;
  cap_scope: Generated<'user' | 'department'>;
  daily_claim_limit: number | null;
  reclaim_cooldown_days: Generated<number>;
  protection_hours: Generated<number>;
  version: Generated<number>;
  updated_at: UpdatedAt;
}

export type PoolMove = 'release' | 'recycle' | 'claim' | 'assign';

export interface OwnershipHistoryTable {
  tenant_id: Id;
  id: GeneratedId;
  customer_id: Id;
  pool_id: Id | null;
  from_user_id: Id | null;
  to_user_id: Id | null;
  move: PoolMove;
  reason: string | null;
  at: Date;
  by_user_id: Id | null;
}

export interface OutboxEventTable {
  tenant_id: Id;
  id: GeneratedId;
  type: string;
  entity_id: string | null;
  data: Json<Record<string, unknown>>;
  occurred_at: Date;
  dispatched_at: Date | null;
}

/** An index or foreign key a bulk load dropped, and the statement that restores it (src/db/set-aside.ts). */
export interface SetAsideTable {
  id: GeneratedId;
  kind: 'index' | 'foreign key';
  name: string;
  restore: string;
  set_aside_at: CreatedAt;
}

export interface NotificationTable {
  tenant_id: Id;
  id: GeneratedId;
  user_id: Id;
  kind: string;
  title: string;
  body: string | null;
  entity: string | null;
  entity_id: string | null;
  dedupe_key: string;
  created_at: Date;
  read_at: Date | null;
}

export interface WebhookTable {
  tenant_id: Id;
  id: GeneratedId;
  url: string;
  events: string[];
  secret: string;
  is_active: Generated<boolean>;
  description: string | null;
  version: Generated<number>;
  created_by: Id | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead';

export interface WebhookDeliveryTable {
  tenant_id: Id;
  id: GeneratedId;
  webhook_id: Id;
  event_id: Id | null;
  event_type: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobTable {
  id: GeneratedId;
  tenant_id: Id | null;
  kind: string;
  payload: Json<Record<string, unknown>>;
  status: Generated<JobStatus>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Date;
  locked_until: Date | null;
  locked_by: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface JobScheduleTable {
  id: GeneratedId;
  tenant_id: Id | null;
  kind: string;
  cron: string;
  timezone: string;
  payload: Json<Record<string, unknown>>;
  enabled: Generated<boolean>;
  next_run_at: Date;
  last_run_at: Date | null;
  created_at: Date;
}

// Issue 8 core: contracts, calls, number locks, SMS, site keys, ECommerce (migrations 0008–0011).
export interface ContractTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  number: string;
  customer_id: Id;
  kind: Generated<'contract' | 'sample_gift'>;
  title: string;
  /** numeric(18,2) as the driver's text: never a float. */
  amount: string;
  /** date columns as 'YYYY-MM-DD' text (read with ::text). */
  signed_on: string | null;
  starts_on: string | null;
  ends_on: string | null;
  owner_id: Id;
  status: Generated<'draft' | 'audited' | 'stopped'>;
  deal_at: Date | null;
  audited_at: Date | null;
  audited_by: Id | null;
  stopped_at: Date | null;
  stopped_by: Id | null;
  note: string | null;
  created_by: Id | null;
  updated_by: Id | null;
}

export interface CallLogTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  phone: string;
  direction: 'in' | 'out';
  answered: boolean;
  started_at: Date;
  ended_at: Date | null;
  duration_seconds: number;
  recorded: boolean;
  recording_url: string | null;
  billing_number: string | null;
  display_number: string | null;
  user_id: Id | null;
  customer_id: Id | null;
  remark: string | null;
  created_by: Id | null;
  updated_by: Id | null;
}

export interface NumberLockTable {
  tenant_id: Id;
  billing_number: string;
  user_id: Id;
  locked_at: Date;
}

export interface SmsTemplateTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  content: string;
  created_by: Id | null;
  updated_by: Id | null;
}

export interface SmsMessageTable extends Versioned {
  tenant_id: Id;
  id: GeneratedId;
  sender_id: Id;
  mobile: string;
  receiver_name: string | null;
  template_id: Id | null;
  template_values: string[];
  content: string;
  schedule: 'immediate' | 'once' | 'daily' | 'weekly' | 'monthly' | 'yearly';
  send_at: Date;
  next_send_at: Date | null;
  status: 'scheduled' | 'sent' | 'cancelled';
  sent_count: Generated<number>;
  remark: string | null;
  created_by: Id | null;
  updated_by: Id | null;
}

export interface SmsOutboxTable {
  tenant_id: Id;
  id: GeneratedId;
  message_id: Id;
  mobile: string;
  text: string;
  occurrence_at: Date;
  status: Generated<'sent' | 'failed'>;
  sent_at: Date;
}

export interface SiteKeyTable {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  key_hash: string;
  key_prefix: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_by: Id | null;
  created_at: CreatedAt;
}

export interface PublishedItemTable {
  tenant_id: Id;
  id: GeneratedId;
  title: string;
  url: string | null;
  summary: string | null;
  /** bigint as the driver's text. */
  hits: ColumnType<string, string | undefined, string>;
  created_by: Id | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MessageBoardEntryTable {
  tenant_id: Id;
  id: GeneratedId;
  customer_id: Id;
  content: string;
  contact: string | null;
  created_at: Date;
}

export interface DB {
  tenant: TenantTable;
  product_line: ProductLineTable;
  department: DepartmentTable;
  role: RoleTable;
  app_user: AppUserTable;
  api_token: ApiTokenTable;
  dictionary_item: DictionaryItemTable;
  audit_log: AuditLogTable;
  idempotency_key: IdempotencyKeyTable;
  stored_file: StoredFileTable;
  custom_field: CustomFieldTable;
  customer: CustomerTable;
  customer_search: CustomerSearchTable;
  tag: TagTable;
  customer_tag: CustomerTagTable;
  customer_share: CustomerShareTable;
  customer_favourite: CustomerFavouriteTable;
  contact: ContactTable;
  opportunity: OpportunityTable;
  visit_report: VisitReportTable;
  visit_report_comment: VisitReportCommentTable;
  visit_report_read: VisitReportReadTable;
  follow_up: FollowUpTable;
  follow_up_contact: FollowUpContactTable;
  follow_up_participant: FollowUpParticipantTable;
  follow_up_attachment: FollowUpAttachmentTable;
  contact_plan: ContactPlanTable;
  pool: PoolTable;
  pool_rule: PoolRuleTable;
  ownership_history: OwnershipHistoryTable;
  outbox_event: OutboxEventTable;
  set_aside: SetAsideTable;
  notification: NotificationTable;
  job: JobTable;
  job_schedule: JobScheduleTable;
  webhook: WebhookTable;
  webhook_delivery: WebhookDeliveryTable;
  contract: ContractTable;
  call_log: CallLogTable;
  number_lock: NumberLockTable;
  sms_template: SmsTemplateTable;
  sms_message: SmsMessageTable;
  sms_outbox: SmsOutboxTable;
  site_key: SiteKeyTable;
  published_item: PublishedItemTable;
  message_board_entry: MessageBoardEntryTable;
}

export type Tenant = Selectable<TenantTable>;
export type Department = Selectable<DepartmentTable>;
export type Role = Selectable<RoleTable>;
export type AppUser = Selectable<AppUserTable>;
export type ApiToken = Selectable<ApiTokenTable>;
export type DictionaryItem = Selectable<DictionaryItemTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type NewAppUser = Insertable<AppUserTable>;
export type AppUserUpdate = Updateable<AppUserTable>;
export type Customer = Selectable<CustomerTable>;
export type Contact = Selectable<ContactTable>;
export type Opportunity = Selectable<OpportunityTable>;
export type FollowUp = Selectable<FollowUpTable>;
export type ContactPlan = Selectable<ContactPlanTable>;
export type Pool = Selectable<PoolTable>;
export type PoolRule = Selectable<PoolRuleTable>;
export type OwnershipMove = Selectable<OwnershipHistoryTable>;
export type VisitReport = Selectable<VisitReportTable>;
export type CustomField = Selectable<CustomFieldTable>;
export type Webhook = Selectable<WebhookTable>;
export type WebhookDelivery = Selectable<WebhookDeliveryTable>;
export type Contract = Selectable<ContractTable>;
export type CallLog = Selectable<CallLogTable>;
export type NumberLock = Selectable<NumberLockTable>;
export type SmsTemplate = Selectable<SmsTemplateTable>;
export type SmsMessage = Selectable<SmsMessageTable>;
export type SmsOutboxEntry = Selectable<SmsOutboxTable>;
export type SiteKey = Selectable<SiteKeyTable>;
export type PublishedItem = Selectable<PublishedItemTable>;
export type MessageBoardEntry = Selectable<MessageBoardEntryTable>;
