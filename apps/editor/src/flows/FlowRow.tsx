import { Copy, Download, Globe, MoreHorizontal, Pencil, Trash2, Workflow } from 'lucide-react';
import { DropdownMenu } from 'radix-ui';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FlowSummary } from '@trellis/schema';
import { cx } from '../ui/cx';
import { cleanName } from './flow-docs';
import { relativeTime } from './flow-filter';

export interface FlowRowActions {
  onOpen: (id: string) => void;
  /** Resolves true once saved, so the rename form can close. */
  onRename: (flow: FlowSummary, name: string) => Promise<boolean>;
  onDuplicate: (flow: FlowSummary) => void;
  onExport: (flow: FlowSummary) => void;
  onDelete: (flow: FlowSummary) => void;
  /** A tag chip was clicked: filter the list by it. */
  onTag?: (tag: string) => void;
}

const exactly = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const ITEM = 'flex cursor-pointer select-none items-center gap-2 rounded-md px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-surface-3 data-[disabled]:opacity-50';

/**
 * One flow in the list, as a card: its name (opens it), description, tags, version, when it
 * changed and where it is published; Rename (inline), Duplicate, Export and Delete in its
 * "More actions" menu.
 */
export function FlowRow({ flow, slugs, busy, error, actions }: { flow: FlowSummary; slugs: readonly string[]; busy: boolean; error: string | undefined; actions: FlowRowActions }) {
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(flow.name);
  const [typo, setTypo] = useState<string | undefined>();
  const menuButton = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);
  // Rename and Delete move focus themselves (the name field, the dialog): the closing menu must not take it back.
  const keepFocus = useRef(false);

  useEffect(() => {
    // Back from the rename form: focus returns to the menu that opened it.
    if (wasRenaming.current && !renaming) menuButton.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming]);

  const startRename = () => {
    setDraft(flow.name);
    setTypo(undefined);
    setRenaming(true);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cleaned = cleanName(draft);
    if ('error' in cleaned) return setTypo(cleaned.error);
    setTypo(undefined);
    if (cleaned.name === flow.name) return setRenaming(false);
    if (await actions.onRename(flow, cleaned.name)) setRenaming(false);
  };

  const problem = typo ?? error;
  return (
    <li
      className={cx('group relative flex gap-3 rounded-xl border bg-surface p-4 shadow-[var(--shadow)] transition-colors hover:border-border-strong', problem ? 'border-danger-border' : 'border-border', busy && 'opacity-70')}
      aria-busy={busy || undefined}
    >
      <span className="mt-0.5 grid h-9 w-9 shrink-0 place-items-center rounded-lg bg-primary-soft text-primary" aria-hidden="true">
        <Workflow size={18} />
      </span>
      <div className="min-w-0 flex-1">
        {renaming ? (
          <form className="flex flex-wrap items-center gap-2" onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === 'Escape' && setRenaming(false)}>
            <input className="min-w-60 flex-1" aria-label={`New name for ${flow.name}`} value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={250} autoFocus />
            <button type="submit" className="btn-primary btn-sm" disabled={busy}>
              Save name
            </button>
            <button type="button" className="btn-sm" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
            <button
              type="button"
              className="min-w-0 truncate border-0 bg-transparent p-0 text-left text-[0.95rem] font-semibold text-fg after:absolute after:inset-0 after:content-[''] hover:bg-transparent! hover:text-primary"
              onClick={() => actions.onOpen(flow.id)}
              aria-label={`Open ${flow.name}`}
            >
              {flow.name}
            </button>
            {slugs.map((slug) => (
              <span key={slug} className="relative inline-flex items-center gap-1 rounded-full bg-success-soft px-2 py-0.5 text-xs font-medium text-success-fg" title={`Published at /v1/flows/${slug}`}>
                <Globe size={11} aria-hidden="true" />
                <span className="sr-only">published at </span>/v1/flows/{slug}
              </span>
            ))}
          </div>
        )}
        {flow.description ? (
          <p className="m-0 mt-1 line-clamp-2 text-sm text-fg-muted">{flow.description}</p>
        ) : (
          <p className="m-0 mt-1 text-sm italic text-fg-subtle">No description</p>
        )}
        <div className="mt-2.5 flex flex-wrap items-center gap-x-3 gap-y-1.5 text-xs text-fg-subtle">
          {(flow.tags?.length ?? 0) > 0 && (
            <ul aria-label={`Tags of ${flow.name}`} className="relative m-0 flex list-none flex-wrap gap-1 p-0">
              {flow.tags!.map((tag) => (
                <li key={tag}>
                  <button
                    type="button"
                    className="rounded-full border-0 bg-surface-3 px-2 py-0.5 text-xs font-medium text-fg-muted hover:bg-primary-soft! hover:text-primary-strong"
                    onClick={() => actions.onTag?.(tag)}
                    aria-label={`Show flows tagged ${tag}`}
                  >
                    {tag}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <code className="text-xs">{flow.id}</code>
          <span>v{flow.latestVersion}</span>
          <span>
            Updated{' '}
            <time dateTime={flow.updatedAt} title={exactly(flow.updatedAt)}>
              {relativeTime(flow.updatedAt)}
            </time>
          </span>
        </div>
        {problem && (
          <p role="alert" className="relative m-0 mt-2 text-sm text-danger-fg">
            {problem}
          </p>
        )}
      </div>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <button ref={menuButton} type="button" className="btn-ghost btn-icon relative shrink-0 self-start text-fg-muted" aria-label={`More actions for ${flow.name}`} disabled={busy || renaming}>
            <MoreHorizontal size={18} aria-hidden="true" />
          </button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={4}
            onCloseAutoFocus={(event) => {
              if (keepFocus.current) event.preventDefault();
              keepFocus.current = false;
            }} className="z-50 min-w-44 rounded-lg border border-border bg-surface p-1 text-fg shadow-[var(--shadow-lg)]">
            <DropdownMenu.Item className={ITEM} onSelect={() => {
                keepFocus.current = true;
                startRename();
              }}
              aria-label={`Rename ${flow.name}`}>
              <Pencil size={14} aria-hidden="true" /> Rename
            </DropdownMenu.Item>
            <DropdownMenu.Item className={ITEM} onSelect={() => actions.onDuplicate(flow)} aria-label={`Duplicate ${flow.name}`}>
              <Copy size={14} aria-hidden="true" /> Duplicate
            </DropdownMenu.Item>
            <DropdownMenu.Item className={ITEM} onSelect={() => actions.onExport(flow)} aria-label={`Export ${flow.name}`}>
              <Download size={14} aria-hidden="true" /> Export
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="my-1 h-px bg-border" />
            <DropdownMenu.Item className={cx(ITEM, 'text-danger-fg data-[highlighted]:bg-danger-soft')} onSelect={() => {
                keepFocus.current = true;
                actions.onDelete(flow);
              }}
              aria-label={`Delete ${flow.name}`}>
              <Trash2 size={14} aria-hidden="true" /> Delete…
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </li>
  );
}
