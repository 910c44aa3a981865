import { FLOW_SCHEMA_V1 } from './flow.js';

/**
 * Steps from one flow document version to the next, keyed by the version they read.
 * v1 is the first published version, so the table is empty; a v2 adds
 * `[FLOW_SCHEMA_V1]: (doc) => ({ ...doc, schema: FLOW_SCHEMA_V2, ... })` and v1 files keep loading.
 */
type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
export const flowMigrations: Record<string, Migration> = {};

export const CURRENT_FLOW_SCHEMA = FLOW_SCHEMA_V1;

export type MigrationResult =
  | { ok: true; doc: Record<string, unknown>; from: string }
  | { ok: false; message: string };

export function migrateFlowDocument(doc: Record<string, unknown>, migrations = flowMigrations): MigrationResult {
  const from = doc.schema;
  if (typeof from !== 'string') {
    return { ok: false, message: `a flow document needs "schema": "${CURRENT_FLOW_SCHEMA}"` };
  }
  let current = doc;
  // Each step must change the version, so this walk ends within the table's length.
  for (let steps = 0; current.schema !== CURRENT_FLOW_SCHEMA; steps++) {
    const step = migrations[String(current.schema)];
    if (!step || steps > Object.keys(migrations).length) {
      return {
        ok: false,
        message: `"${String(current.schema)}" is not a flow version this Trellis reads (it reads ${CURRENT_FLOW_SCHEMA})`,
      };
    }
    current = step(current);
  }
  return { ok: true, doc: current, from };
}
