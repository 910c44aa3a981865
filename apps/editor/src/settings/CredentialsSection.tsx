import { useCallback, useEffect, useId, useState } from 'react';
import { Dialog } from 'radix-ui';
import { CREDENTIAL_NAME_MAX, CREDENTIAL_VALUE_MAX, CredentialName, errorMessage, type Credential } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import { ConfirmDialog } from '../keys/ConfirmDialog';
import { toast } from '../ui/toast';
import { ErrorLine, Section } from './Section';

/**
 * Named secrets HTTP tools send (and the provider keys stored above): listed by name, kind and
 * times, added, replaced and deleted. Values are write-only: the page never receives one.
 */
export function CredentialsSection({ api, reloadKey }: { api: ApiClient; reloadKey: number }) {
  const [items, setItems] = useState<Credential[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    api.listCredentials().then(
      (list) => {
        setItems(list);
        setError(undefined);
      },
      (e: unknown) => setError(`Could not load the credentials: ${errorMessage(e)}`),
    );
  }, [api]);
  useEffect(load, [load, reloadKey]);

  const remove = async (c: Credential) => {
    await api.deleteCredential(c.name);
    toast.success(`Deleted the credential “${c.name}”`);
    load();
  };

  return (
    <Section
      title="Credentials"
      description={
        <>
          Secrets an HTTP tool sends by name, never written into a flow, a trace or a log. In the tool’s config,{' '}
          <code className="rounded bg-surface-3 px-1 text-xs text-fg">{'"auth": { "secret": "crm-token" }'}</code> sends <code className="text-xs">Authorization: Bearer &lt;value&gt;</code>; add{' '}
          <code className="rounded bg-surface-3 px-1 text-xs text-fg">{'"header": "X-Api-Key"'}</code> to send the value as is, or <code className="rounded bg-surface-3 px-1 text-xs text-fg">{'"scheme": "basic"'}</code>{' '}
          for <code className="text-xs">user:password</code>.
        </>
      }
    >
      {error && <ErrorLine>{error}</ErrorLine>}
      {!items && !error && <div aria-busy="true" aria-label="Loading the credentials" className="h-24 animate-pulse rounded-lg bg-surface-2" />}
      {items && items.length === 0 && <p className="m-0 rounded-lg border border-dashed border-border-strong px-4 py-6 text-center text-sm text-fg-muted">No credentials stored yet. Add one below.</p>}
      {items && items.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-border">
          <table className="w-full text-sm" aria-label="Credentials">
            <thead>
              <tr className="border-b border-border text-left text-xs text-fg-muted">
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Kind</th>
                <th className="px-4 py-2 font-medium">Updated</th>
                <th className="px-4 py-2 font-medium">Last used</th>
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.name} className="border-b border-border last:border-0">
                  <td className="px-4 py-3">
                    <code className="font-medium">{c.name}</code>
                  </td>
                  <td className="px-4 py-3 text-fg-muted">{c.kind === 'provider' ? `Model key (${c.provider ?? 'provider'})` : 'Secret'}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-fg-muted">
                    <When iso={c.updatedAt} />
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap text-fg-muted">{c.lastUsedAt ? <When iso={c.lastUsedAt} /> : 'Never'}</td>
                  <td className="px-4 py-3">
                    <div className="flex justify-end gap-2">
                      <ReplaceValue api={api} credential={c} onDone={load} />
                      <ConfirmDialog
                        trigger={
                          <button type="button" className="btn-danger btn-sm" aria-label={`Delete ${c.name}`}>
                            Delete
                          </button>
                        }
                        title={`Delete “${c.name}”?`}
                        confirmLabel="Delete credential"
                        failure={`Could not delete ${c.name}`}
                        onConfirm={() => remove(c)}
                      >
                        {c.kind === 'provider' ? 'Runs fall back to the environment’s key, if any, else to the test provider.' : 'Steps whose HTTP tools name it fail until it is added again.'} This cannot be undone.
                      </ConfirmDialog>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddCredential api={api} taken={items?.map((c) => c.name) ?? []} onAdded={load} />
    </Section>
  );
}

function AddCredential({ api, taken, onAdded }: { api: ApiClient; taken: string[]; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  const nameProblem = name && !CredentialName.safeParse(name).success ? 'A name starts with a letter or _ and uses only letters, digits, _ and -.' : taken.includes(name) ? `“${name}” exists: use its Replace button to change its value.` : undefined;

  const add = async () => {
    if (!name) return setError('Give the credential a name: the HTTP tool refers to it by that name.');
    if (nameProblem) return setError(nameProblem);
    if (!value) return setError('Enter the secret value.');
    setBusy(true);
    setError(undefined);
    try {
      await api.putCredential(name, { kind: 'secret', value });
      toast.success(`Stored the credential “${name}”`);
      setName('');
      setValue('');
      onAdded();
    } catch (e) {
      setError(`Could not store “${name}”: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      aria-label="Add a credential"
      className="mt-4 flex flex-col gap-3 rounded-lg bg-surface-2 p-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <h3 className="m-0 text-sm font-semibold">Add a credential</h3>
      <div className="flex flex-wrap items-start gap-3">
        <div className="flex w-56 flex-col gap-1">
          <label htmlFor={`${id}-name`} className="text-xs font-medium text-fg-muted">
            Name
          </label>
          <input id={`${id}-name`} value={name} maxLength={CREDENTIAL_NAME_MAX} onChange={(e) => setName(e.target.value)} placeholder="crm-token" autoComplete="off" spellCheck={false} aria-invalid={nameProblem !== undefined} aria-describedby={nameProblem ? `${id}-name-problem` : undefined} />
          {nameProblem && (
            <span id={`${id}-name-problem`} className="text-xs text-danger-fg">
              {nameProblem}
            </span>
          )}
        </div>
        <div className="flex min-w-64 flex-1 flex-col gap-1">
          <label htmlFor={`${id}-value`} className="text-xs font-medium text-fg-muted">
            Value
          </label>
          <input id={`${id}-value`} type="password" value={value} maxLength={CREDENTIAL_VALUE_MAX} onChange={(e) => setValue(e.target.value)} autoComplete="new-password" spellCheck={false} />
        </div>
        <button type="submit" className="btn-primary mt-5" disabled={busy}>
          {busy ? 'Adding…' : 'Add credential'}
        </button>
      </div>
      <p className="m-0 text-xs text-fg-muted">Write-only: stored encrypted on the runner and never shown again. A variable TRELLIS_CREDENTIAL_&lt;NAME&gt; on the runner wins over it.</p>
      {error && <ErrorLine>{error}</ErrorLine>}
    </form>
  );
}

/** A new value for a credential (the old one is never shown), in a small dialog. */
function ReplaceValue({ api, credential, onDone }: { api: ApiClient; credential: Credential; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  const save = async () => {
    if (!value) return setError('Enter the new value.');
    setBusy(true);
    setError(undefined);
    try {
      await api.putCredential(credential.name, credential.kind === 'provider' ? { kind: 'provider', provider: credential.provider ?? '', value } : { kind: 'secret', value });
      toast.success(`Replaced the value of “${credential.name}”`);
      setOpen(false);
      onDone();
    } catch (e) {
      setError(`Could not replace the value: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setValue('');
        setError(undefined);
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className="btn-sm" aria-label={`Replace the value of ${credential.name}`}>
          Replace
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-[var(--overlay)]" />
        <Dialog.Content className="card fixed top-1/2 left-1/2 z-50 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 p-5 shadow-[var(--shadow-lg)]">
          <Dialog.Title className="m-0 text-base font-semibold">Replace “{credential.name}”</Dialog.Title>
          <Dialog.Description className="m-0 mt-1 text-sm text-fg-muted">The current value is not shown. Steps use the new one from their next request.</Dialog.Description>
          <form
            className="mt-4 flex flex-col gap-3"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <label htmlFor={`${id}-value`} className="text-xs font-medium text-fg-muted">
              New value
            </label>
            <input id={`${id}-value`} type="password" value={value} maxLength={CREDENTIAL_VALUE_MAX} onChange={(e) => setValue(e.target.value)} autoComplete="new-password" autoFocus />
            {error && <ErrorLine>{error}</ErrorLine>}
            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button">Cancel</button>
              </Dialog.Close>
              <button type="submit" className="btn-primary" disabled={busy}>
                {busy ? 'Saving…' : 'Replace value'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
