import type { SiteKey } from '../../db/schema.ts';

/** A site key as listed: never its value or hash. */
export type SiteKeyView = Omit<SiteKey, 'tenant_id' | 'key_hash'>;

export interface CreatedSiteKey {
  siteKey: SiteKeyView;
  /** The key itself, shown this once. */
  key: string;
}
