import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id, StoredFileTable } from '../../db/schema.ts';

export type StoredFile = Selectable<StoredFileTable>;

export function insertStoredFile(executor: Executor, values: Insertable<StoredFileTable>): Promise<StoredFile> {
  return executor.insertInto('stored_file').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findStoredFile(executor: Executor, tenantId: Id, id: Id): Promise<StoredFile | undefined> {
  return executor.selectFrom('stored_file').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}
