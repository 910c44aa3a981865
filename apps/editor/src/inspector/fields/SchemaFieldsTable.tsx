import { useEffect, useRef, useState } from 'react';
import { FIELD_TYPES, newRow, rowsToSchema, schemaToRows, withType, type FieldRow, type FieldType } from '../schema-fields';

/**
 * The "Fields" view of a JSON Schema: one row per property of a flat object schema. Rows are
 * local state, so a name can be empty or clash while it is typed; the schema changes only when
 * the rows make a valid one, and a change from the JSON view (or undo) rebuilds the rows.
 */
export function SchemaFieldsTable({ schema, label, onChange, onBlur }: { schema: unknown; label: string; onChange: (schema: Record<string, unknown>) => void; onBlur: () => void }) {
  const shown = schemaToRows(schema);
  const [rows, setRows] = useState<FieldRow[]>(() => (shown.ok ? shown.rows : []));
  /** The schema the rows stand for, as JSON: a schema that differs came from elsewhere. */
  const source = useRef(JSON.stringify(schema ?? null));
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    const json = JSON.stringify(schema ?? null);
    if (json === source.current) return;
    source.current = json;
    const next = schemaToRows(schema);
    setRows(next.ok ? next.rows : []);
    setProblem(undefined);
  }, [schema]);

  if (!shown.ok) {
    return <p className="inspector-note">The Fields table edits object schemas with flat fields; {shown.reason}, so edit it as JSON below.</p>;
  }

  const update = (next: FieldRow[]) => {
    setRows(next);
    const result = rowsToSchema(schema, next);
    if (!result.ok) {
      setProblem(result.reason);
      return;
    }
    setProblem(undefined);
    source.current = JSON.stringify(result.schema);
    onChange(result.schema);
  };
  const edit = (index: number, patch: Partial<FieldRow>) => update(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));

  return (
    <div className="inspector-schema-table">
      <table aria-label={`${label} fields`}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col">Description</th>
            <th scope="col">
              <span className="inspector-sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={row.key}>
              <td>
                <input aria-label={`Field ${i + 1} name`} value={row.name} onChange={(e) => edit(i, { name: e.target.value })} onBlur={onBlur} />
              </td>
              <td>
                <select aria-label={`Field ${i + 1} type`} value={row.type} onChange={(e) => update(rows.map((r, j) => (j === i ? withType(r, e.target.value as FieldType) : r)))} onBlur={onBlur}>
                  {FIELD_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input type="checkbox" aria-label={`Field ${i + 1} required`} checked={row.required} onChange={(e) => edit(i, { required: e.target.checked })} onBlur={onBlur} />
              </td>
              <td>
                <input aria-label={`Field ${i + 1} description`} value={row.description} onChange={(e) => edit(i, { description: e.target.value })} onBlur={onBlur} />
              </td>
              <td>
                <button type="button" className="quiet" aria-label={`Remove field ${i + 1} (${row.name || 'unnamed'})`} onClick={() => update(rows.filter((_, j) => j !== i))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p className="inspector-note">No fields yet.</p>}
      <button type="button" onClick={() => update([...rows, newRow(rows)])}>
        Add field
      </button>
      {problem && (
        <p className="inspector-message inspector-message-error" role="alert">
          Fields not applied: {problem}.
        </p>
      )}
    </div>
  );
}
