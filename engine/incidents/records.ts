/**
 * Former home of the ITSM record plumbing, now engine/records/records.ts. Kept only as a thin
 * delegate for modules not yet moved to `Records` (engine/correlation/service.ts reads incidents
 * through `listAll`); new code uses `Records` and this file goes when its last importer does.
 */
import type { Cmdb } from '../cmdb.ts';
import { Records } from '../records/index.ts';
import type { StoredRecord } from '../store/port.ts';

export { formatId, recordOf, SEQUENCE_KIND, viewOf } from '../records/index.ts';

/** Every record of `kind`, in id order. */
export function listAll(cmdb: Cmdb, kind: string): Promise<StoredRecord[]> {
  return new Records(cmdb, kind).all();
}
