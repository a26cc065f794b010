/** How much data a run measures against, and how long it loads each scenario. */
export type ScaleName = 'tiny' | 'small' | 'full';
export type DbKind = 'embedded' | 'postgres';

export interface TenantSize {
  slug: string;
  customers: number;
  followUps: number;
  contacts: number;
  plans: number;
  opportunities: number;
  users: number;
  departments: number;
}

export interface Scale {
  name: ScaleName;
  /** The tenant every scenario runs in, then the small tenants beside it (so tenant scoping is real). */
  tenants: [TenantSize, ...TenantSize[]];
  /** Seconds of load before measuring, and measured. */
  warmupSeconds: number;
  durationSeconds: number;
  /** Rounds of raw SQL and endpoint loads; each scenario reports their medians. */
  rounds: number;
}

const small = (slug: string, customers: number): TenantSize => ({
  slug,
  customers,
  followUps: customers * 10,
  contacts: customers / 5,
  plans: customers / 2,
  opportunities: customers / 10,
  users: 20,
  departments: 5,
});

export const SCALES: Record<ScaleName, Scale> = {
  full: {
    name: 'full',
    tenants: [
      { slug: 'bench', customers: 1_000_000, followUps: 10_000_000, contacts: 200_000, plans: 500_000, opportunities: 100_000, users: 1_000, departments: 30 },
      small('bench-b', 5_000),
      small('bench-c', 5_000),
    ],
    warmupSeconds: 3,
    durationSeconds: 10,
    rounds: 3,
  },
  small: {
    name: 'small',
    tenants: [
      { slug: 'bench', customers: 100_000, followUps: 1_000_000, contacts: 20_000, plans: 50_000, opportunities: 10_000, users: 100, departments: 30 },
      small('bench-b', 1_000),
      small('bench-c', 1_000),
    ],
    // A fresh embedded server runs slowly for its first seconds under load, while V8 optimises
    // its hot code (JavaScript and the database's WebAssembly): S2 in 2-second steps after
    // start answered 181, 352, 409, then 450–500 requests/s.
    warmupSeconds: 5,
    durationSeconds: 8,
    rounds: 3,
  },
  tiny: {
    name: 'tiny',
    tenants: [
      { slug: 'bench', customers: 1_000, followUps: 5_000, contacts: 200, plans: 500, opportunities: 100, users: 20, departments: 5 },
      small('bench-b', 100),
      small('bench-c', 100),
    ],
    warmupSeconds: 0.5,
    durationSeconds: 1,
    rounds: 1,
  },
};

export const isScale = (value: string): value is ScaleName => value in SCALES;
