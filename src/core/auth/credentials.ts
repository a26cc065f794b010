import type { Credential } from './tokens.repository.ts';

/** How long a credential is kept by default: what another process changes is seen this late. */
export const DEFAULT_CREDENTIAL_TTL_MS = 10_000;

/** Tokens whose credentials are kept at most; past that the oldest read is dropped first. */
const CAPACITY = 10_000;

/**
 * Credentials read recently, by token hash, so that most requests skip the lookup of their token,
 * user, role and tenant.
 *
 * - A change this process makes to a token, user, role or tenant empties it once committed
 *   (`changed`). A lookup that began before the change is not kept: it may have read the old rows.
 * - A change made elsewhere (another server on the same PostgreSQL, the CLI) is seen within
 *   `ttlMs` of the credential being read. 0 turns the cache off.
 * - Only tokens that exist are kept: a token created a moment ago is found at once.
 * - Expiry is checked on every request, against the expiry that was read.
 */
export class CredentialCache {
  readonly #entries = new Map<string, { credential: Credential; readAt: number }>();
  /** Counts the changes: a lookup is kept only if none happened while it ran. */
  #generation = 0;

  constructor(readonly ttlMs: number) {}

  /** The credential read for this hash, unless older than the time to live. */
  #fresh(hash: string): Credential | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    if (performance.now() - entry.readAt < this.ttlMs) return entry.credential;
    this.#entries.delete(hash);
    return undefined;
  }

  /** Reads a credential through the cache; `read` is the lookup in the database. */
  async read(hash: string, read: () => Promise<Credential | undefined>): Promise<Credential | undefined> {
    const cached = this.#fresh(hash);
    if (cached) return cached;
    const generation = this.#generation;
    const readAt = performance.now();
    const credential = await read();
    if (credential && this.ttlMs > 0 && generation === this.#generation) {
      if (this.#entries.size >= CAPACITY) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(hash, { credential, readAt });
    }
    return credential;
  }

  /** Runs a change to tokens, users, roles or a tenant, then `changed()` (also when it fails). */
  async changing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.changed();
    }
  }

  /** A token, user, role or tenant changed: every credential is read again. */
  changed(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
