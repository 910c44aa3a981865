import { Braces, Plus, Trash2, Type } from 'lucide-react';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { Modal } from '../Modal';
import type { FlowStore } from '../store/flow-store';
import { toast } from '../ui/toast';
import { cx } from '../ui/cx';
import { TagInput } from './TagInput';
import { GateSettings, gateDraft, gateOf, type GateDraft } from './GateSettings';
import { blankRow, rowsFromVars, switchKind, varsFromRows, type VarKind, type VarRow } from './vars-model';

/**
 * The open flow's own settings: its description, its tags and its variables (`vars`, which
 * templates and expressions read as `vars.<name>`). Edited as a draft; Save writes everything
 * as ONE undoable change to the flow (saved to the runner with the flow's next save), Cancel or
 * Escape leaves the flow as it was. A problem is named beside the row it concerns, and nothing
 * typed is lost.
 */
export function FlowSettingsDialog({ store, onClose, tagSuggestions, datasets }: { store: FlowStore; onClose: () => void; tagSuggestions?: readonly string[]; datasets?: readonly { id: string; name: string }[] }) {
  const document = useStore(store, (s) => s.document);
  const [description, setDescription] = useState(document.description ?? '');
  const [tags, setTags] = useState<string[]>(document.tags ?? []);
  const [rows, setRows] = useState<VarRow[]>(() => rowsFromVars(document.vars));
  const [tried, setTried] = useState(false);
  const [gate, setGate] = useState<GateDraft>(() => gateDraft(document.settings?.gate));
  const gateResult = useMemo(() => gateOf(gate), [gate]);
  const gateError = tried && 'error' in gateResult ? gateResult.error : undefined;
  const ids = useId();
  const result = useMemo(() => varsFromRows(rows), [rows]);
  const errors = tried && !result.ok ? result.errors : undefined;

  const update = (id: number, change: (row: VarRow) => VarRow) => setRows((all) => all.map((r) => (r.id === id ? change(r) : r)));

  const save = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!result.ok || 'error' in gateResult) {
      // Take the person to the first row that needs fixing (it may be scrolled out of view).
      const form = event.currentTarget as HTMLFormElement;
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const changed = store.getState().setFlowSettings({ description: description.trim(), tags, vars: result.vars, gate: gateResult.gate });
    if (changed) toast.success('Flow settings updated: save the flow to keep them (Ctrl+Z undoes the change).');
    onClose();
  };

  return (
    <Modal label="Flow settings" className="m-auto max-w-2xl! p-0! bg-surface text-fg" onClose={onClose}>
      <form onSubmit={save} noValidate className="flex max-h-[85vh] flex-col">
        <header className="border-b border-border px-5 pb-3 pt-4">
          <h2 className="m-0 text-base font-semibold">Flow settings</h2>
          <p className="m-0 mt-0.5 text-sm text-fg-muted">
            {document.name} · <code className="text-xs">{document.id}</code>
          </p>
        </header>

        <div className="flex flex-col gap-5 overflow-auto px-5 py-4">
          <label className="flex flex-col gap-1.5">
            <span className="text-sm font-medium">Description</span>
            <textarea value={description} rows={3} maxLength={10_000} placeholder="What this flow does, for the people who find it in the list" onChange={(e) => setDescription(e.target.value)} data-initial-focus />
          </label>

          <div className="flex flex-col gap-1.5">
            <span className="text-sm font-medium" id={`${ids}-tags`}>
              Tags
            </span>
            <TagInput tags={tags} onChange={setTags} suggestions={tagSuggestions} label="Flow tags" />
            <span className="text-xs text-fg-subtle">Group flows in the list; lowercase, spaces become “-”.</span>
          </div>

          <GateSettings draft={gate} onDraft={setGate} datasets={datasets ?? []} error={gateError} />

          <section aria-labelledby={`${ids}-vars`} className="flex flex-col gap-2">
            <div className="flex items-end gap-2">
              <div className="mr-auto">
                <h3 id={`${ids}-vars`} className="m-0 text-sm font-medium">
                  Variables
                </h3>
                <p className="m-0 text-xs text-fg-subtle">
                  Constants every template and expression reads as <code>{'{{ vars.name }}'}</code>: a company name, a policy, a list of records.
                </p>
              </div>
              <button type="button" className="btn-sm" onClick={() => setRows((all) => [...all, blankRow(all)])}>
                <Plus size={14} aria-hidden="true" /> Add variable
              </button>
            </div>
            {rows.length === 0 ? (
              <p className="m-0 rounded-lg border border-dashed border-border-strong px-4 py-5 text-center text-sm text-fg-muted">No variables yet.</p>
            ) : (
              <ul aria-label="Variables" className="m-0 flex list-none flex-col gap-2 p-0">
                {rows.map((row, index) => (
                  <VarRowEditor
                    key={row.id}
                    row={row}
                    position={index + 1}
                    error={errors?.get(row.id)}
                    onChange={(change) => update(row.id, change)}
                    onRemove={() => setRows((all) => all.filter((r) => r.id !== row.id))}
                  />
                ))}
              </ul>
            )}
          </section>
        </div>

        <footer className="flex items-center gap-2 border-t border-border px-5 py-3">
          {errors && (
            <p role="alert" className="m-0 mr-auto text-sm text-danger-fg">
              {errors.size === 1 ? '1 variable needs' : `${errors.size} variables need`} fixing before the settings can be applied.
            </p>
          )}
          <div className="ml-auto flex gap-2">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn-primary">
              Apply settings
            </button>
          </div>
        </footer>
      </form>
    </Modal>
  );
}

const KINDS: { kind: VarKind; label: string; icon: typeof Type }[] = [
  { kind: 'text', label: 'Text', icon: Type },
  { kind: 'json', label: 'JSON', icon: Braces },
];

/** One variable: its name, whether its value is text or JSON, the value, and a remove button. */
function VarRowEditor({ row, position, error, onChange, onRemove }: { row: VarRow; position: number; error: string | undefined; onChange: (change: (row: VarRow) => VarRow) => void; onRemove: () => void }) {
  const ids = useId();
  const who = row.name.trim() || `variable ${position}`;
  const multiline = row.kind === 'json' || row.value.includes('\n') || row.value.length > 60;
  return (
    <li className={cx('rounded-lg border bg-surface-2 p-2.5', error ? 'border-danger-border' : 'border-border')}>
      <div className="flex flex-wrap items-center gap-2">
        <input
          aria-label={`Name of ${who}`}
          className="w-44 font-mono text-sm!"
          value={row.name}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${ids}-error` : undefined}
          onChange={(e) => onChange((r) => ({ ...r, name: e.target.value }))}
        />
        <div role="radiogroup" aria-label={`Value type of ${who}`} className="inline-flex rounded-md border border-border bg-surface p-0.5">
          {KINDS.map(({ kind, label, icon: Icon }) => (
            <button
              key={kind}
              type="button"
              role="radio"
              aria-checked={row.kind === kind}
              className={cx('btn-sm border-0 px-2', row.kind === kind ? 'bg-primary-soft text-primary-strong' : 'btn-ghost text-fg-muted')}
              onClick={() => onChange((r) => switchKind(r, kind))}
            >
              <Icon size={13} aria-hidden="true" /> {label}
            </button>
          ))}
        </div>
        <button type="button" className="btn-ghost btn-icon ml-auto text-fg-muted" aria-label={`Remove ${who}`} title={`Remove ${who}`} onClick={onRemove}>
          <Trash2 size={15} aria-hidden="true" />
        </button>
      </div>
      {multiline ? (
        <textarea
          aria-label={`Value of ${who}`}
          className="mt-2 w-full font-mono text-xs!"
          rows={Math.min(10, Math.max(3, row.value.split('\n').length))}
          spellCheck={row.kind === 'text'}
          value={row.value}
          onChange={(e) => onChange((r) => ({ ...r, value: e.target.value }))}
        />
      ) : (
        <input aria-label={`Value of ${who}`} className="mt-2 w-full" value={row.value} onChange={(e) => onChange((r) => ({ ...r, value: e.target.value }))} />
      )}
      {error && (
        <p id={`${ids}-error`} className="m-0 mt-1.5 text-xs text-danger-fg">
          {error}
        </p>
      )}
    </li>
  );
}
