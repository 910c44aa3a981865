import { useId, useState } from 'react';
import { Dialog } from 'radix-ui';
import { Plus, TriangleAlert } from 'lucide-react';
import { errorMessage, KEY_NAME_MAX, KEY_SLUGS_MAX, type CreatedKey, type Published } from '@trellis/schema';
import type { ApiClient } from '../api';
import { SecretOnce } from './SecretOnce';

interface Props {
  api: ApiClient;
  published: Published[] | undefined;
  onCreated: (created: CreatedKey) => void;
}

/**
 * Creates a key: a name, and the published endpoints it may call (chosen from those published;
 * every endpoint only when chosen so, with what that means said). The secret is then shown once.
 */
export function CreateKeyDialog({ api, published, onCreated }: Props) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'some' | 'all'>('some');
  const [slugs, setSlugs] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [created, setCreated] = useState<CreatedKey | undefined>();
  const id = useId();

  const reset = () => {
    setName('');
    setScope('some');
    setSlugs([]);
    setError(undefined);
    setCreated(undefined);
  };
  // A choice made after a refusal clears it: the refusal was about the choice before.
  const choose = (next: 'some' | 'all') => {
    setScope(next);
    setError(undefined);
  };
  const pick = (next: string[]) => {
    setSlugs(next);
    setError(undefined);
  };
  const problem = !name.trim() ? 'Give the key a name.' : scope === 'some' && slugs.length === 0 ? 'Choose at least one endpoint, or allow every endpoint.' : undefined;

  const create = async () => {
    if (problem) return setError(problem);
    setBusy(true);
    setError(undefined);
    try {
      const made = await api.createKey({ name: name.trim(), ...(scope === 'some' ? { slugs } : {}) });
      setCreated(made);
      onCreated(made);
    } catch (e) {
      setError(`Could not create the key: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className="btn-primary">
          <Plus size={16} aria-hidden="true" /> New API key
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-[var(--overlay)]" />
        <Dialog.Content className="card fixed top-1/2 left-1/2 z-50 max-h-[calc(100vh-4rem)] w-[min(34rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto p-5 shadow-[var(--shadow-lg)]">
          <Dialog.Title className="m-0 text-base font-semibold">{created ? 'API key created' : 'New API key'}</Dialog.Title>
          <Dialog.Description className="m-0 mt-1 text-sm text-fg-muted">
            {created ? 'Give it to the program that calls your flows, as "Authorization: Bearer <key>".' : 'A key lets a program call published flows over HTTP and through the MCP server.'}
          </Dialog.Description>
          {created ? (
            <div className="mt-4 flex flex-col gap-4">
              <SecretOnce secret={created.secret} name={created.key.name} />
              <div className="flex justify-end">
                <Dialog.Close asChild>
                  <button type="button">Done</button>
                </Dialog.Close>
              </div>
            </div>
          ) : (
            <form
              className="mt-4 flex flex-col gap-4"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                void create();
              }}
            >
              <div className="flex flex-col gap-1">
                <label htmlFor={`${id}-name`} className="text-sm font-medium">
                  Name
                </label>
                <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={KEY_NAME_MAX} placeholder="e.g. helpdesk integration" autoComplete="off" autoFocus />
              </div>
              <fieldset className="m-0 flex flex-col gap-2 border-0 p-0">
                <legend className="mb-1 p-0 text-sm font-medium">Endpoints it may call</legend>
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name={`${id}-scope`} checked={scope === 'some'} onChange={() => choose('some')} />
                  Only the endpoints chosen below
                </label>
                {scope === 'some' && <SlugPicker published={published} chosen={slugs} onChange={pick} />}
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name={`${id}-scope`} checked={scope === 'all'} onChange={() => choose('all')} />
                  Every endpoint
                </label>
                {scope === 'all' && (
                  <p className="m-0 flex items-start gap-1.5 rounded-md border border-warning bg-warning-soft px-3 py-2 text-sm text-warning-fg">
                    <TriangleAlert size={16} className="mt-0.5 shrink-0" aria-hidden="true" />
                    This key may call every published flow, including flows published later. Limit it unless the caller needs them all.
                  </p>
                )}
              </fieldset>
              {error && (
                <p role="alert" className="m-0 rounded-md border border-danger-border bg-danger-soft px-3 py-2 text-sm text-danger-fg">
                  {error}
                </p>
              )}
              <div className="flex justify-end gap-2">
                <Dialog.Close asChild>
                  <button type="button">Cancel</button>
                </Dialog.Close>
                <button type="submit" className="btn-primary" disabled={busy}>
                  {busy ? 'Creating…' : 'Create key'}
                </button>
              </div>
            </form>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** The published endpoints as checkboxes (a multi-select that a keyboard and a screen reader handle as is). */
function SlugPicker({ published, chosen, onChange }: { published: Published[] | undefined; chosen: string[]; onChange: (slugs: string[]) => void }) {
  if (!published) return <p className="m-0 ml-6 text-sm text-fg-muted">Loading the published endpoints…</p>;
  if (published.length === 0)
    return <p className="m-0 ml-6 text-sm text-fg-muted">Nothing is published yet. Publish a flow (its Publish tab) to limit a key to it.</p>;
  const toggle = (slug: string, on: boolean) => onChange(on ? [...chosen, slug].slice(0, KEY_SLUGS_MAX) : chosen.filter((s) => s !== slug));
  return (
    <ul role="group" aria-label="Published endpoints" className="m-0 ml-6 flex max-h-48 list-none flex-col gap-1 overflow-auto rounded-md border border-border p-2">
      {published.map((p) => (
        <li key={p.slug}>
          <label className="flex items-center gap-2 rounded px-1 py-0.5 text-sm hover:bg-surface-2">
            <input type="checkbox" checked={chosen.includes(p.slug)} onChange={(e) => toggle(p.slug, e.target.checked)} />
            <code className="text-xs">{p.slug}</code>
            <span className="text-xs text-fg-muted">
              {p.flowId} · version {p.version}
            </span>
          </label>
        </li>
      ))}
    </ul>
  );
}
