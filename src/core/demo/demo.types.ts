/** What `genjin demo` makes, and how much of it. */
export interface DemoOptions {
  /** Slug of the tenant to fill; created when it does not exist. */
  tenant: string;
  customers: number;
  followUps: number;
  contacts: number;
  plans: number;
  opportunities: number;
  visitReports: number;
  users: number;
  departments: number;
  seed: number;
  /** The instant the data is generated around: follow-ups before it, pending plans after it. */
  now: Date;
}

export type DemoCounts = Omit<DemoOptions, 'tenant' | 'seed' | 'now'>;

export interface DemoProgress {
  phase: 'setup' | 'visit reports' | 'customers' | 'indexes' | 'finishing';
  /** Units done and in all, in the phase's unit (customers during 'customers'). */
  done: number;
  total: number;
  /** Rows written so far, all tables together. */
  rows: number;
}

export interface DemoResult {
  tenant: { id: string; slug: string };
  /** Set when the tenant was created for the demo: its admin's credentials, shown once. */
  createdTenant?: { login: string; password: string | null; token: string } | undefined;
  counts: DemoCounts & { contactLinks: number; participants: number; attachments: number; tags: number };
  rows: number;
  seconds: number;
}

/** Defaults: 1,000 customers, and the rest in the proportions of the benchmark's full scale. */
export function resolveDemoOptions(given: Partial<DemoOptions>): DemoOptions {
  const customers = given.customers ?? 1000;
  const followUps = given.followUps ?? customers * 10;
  const users = given.users ?? 20;
  return {
    tenant: given.tenant ?? 'default',
    customers,
    followUps,
    contacts: given.contacts ?? Math.round(customers / 5),
    plans: given.plans ?? Math.round(customers / 2),
    opportunities: given.opportunities ?? Math.round(customers / 10),
    visitReports: given.visitReports ?? Math.round(followUps / 100),
    users,
    departments: given.departments ?? Math.max(1, Math.min(30, Math.round(users / 4))),
    seed: given.seed ?? 1,
    now: given.now ?? new Date(),
  };
}
