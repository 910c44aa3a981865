import { useCallback, useEffect, useId, useState } from 'react';
import { CheckCircle2, CircleSlash, Loader2, PlugZap, XCircle } from 'lucide-react';
import { CREDENTIAL_VALUE_MAX, errorMessage, type ProviderStatus, type ProviderTestResult } from '@trellis/schema';
import type { ApiClient } from '../api';
import { toast } from '../ui/toast';
import { ErrorLine, Section } from './Section';

/** Where a provider's key comes from, in words (the runner's note adds the details). */
const SOURCE_TEXT: Record<ProviderStatus['source'], string> = {
  env: 'Key from the runner’s environment (it wins over a key stored here)',
  credential: 'Key stored in Settings',
  local: 'A local server: needs no key',
  none: 'No key',
};

/**
 * The model providers: which are configured and where each key comes from (the environment wins
 * over a key stored here, and the page says so), a one-call connection test each, and a form to
 * store a provider's key (write-only: it is never shown back).
 */
export function ProvidersSection({ api, onStored }: { api: ApiClient; onStored: () => void }) {
  const [providers, setProviders] = useState<ProviderStatus[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    api.listProviders().then(
      (list) => {
        setProviders(list);
        setError(undefined);
      },
      (e: unknown) => setError(`Could not load the model providers: ${errorMessage(e)}`),
    );
  }, [api]);
  useEffect(load, [load]);

  return (
    <Section
      title="Model providers"
      description="Runs call models as provider:model. A provider without a key answers with the built-in test provider, and the run says so."
    >
      {error && <ErrorLine>{error}</ErrorLine>}
      {!providers && !error && <div aria-busy="true" aria-label="Loading the model providers" className="h-24 animate-pulse rounded-lg bg-surface-2" />}
      {providers && (
        <ul aria-label="Model providers" className="m-0 flex list-none flex-col divide-y divide-border rounded-lg border border-border p-0">
          {providers.map((p) => (
            <ProviderRow key={p.id} api={api} provider={p} />
          ))}
        </ul>
      )}
      <StoreProviderKey
        api={api}
        providers={providers}
        onStored={() => {
          load();
          onStored();
        }}
      />
    </Section>
  );
}

function ProviderRow({ api, provider: p }: { api: ApiClient; provider: ProviderStatus }) {
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ProviderTestResult | { error: string } | undefined>();
  const test = async () => {
    setTesting(true);
    setResult(undefined);
    try {
      setResult(await api.testProvider(p.id));
    } catch (e) {
      setResult({ error: errorMessage(e) });
    } finally {
      setTesting(false);
    }
  };
  return (
    <li className="flex flex-wrap items-start gap-x-4 gap-y-2 px-4 py-3" aria-label={p.id}>
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-2">
          <code className="text-sm font-semibold text-fg">{p.id}</code>
          {p.configured ? (
            <span className="inline-flex items-center gap-1 rounded-full bg-success-soft px-2 py-0.5 text-xs font-medium text-success-fg">
              <CheckCircle2 size={12} aria-hidden="true" /> Configured
            </span>
          ) : (
            <span className="inline-flex items-center gap-1 rounded-full bg-surface-3 px-2 py-0.5 text-xs font-medium text-fg-muted">
              <CircleSlash size={12} aria-hidden="true" /> Not configured
            </span>
          )}
        </div>
        <p className="m-0 mt-1 text-sm text-fg-muted">{describeSource(p)}</p>
        {result && (
          <p role="status" className={`m-0 mt-2 flex items-start gap-1.5 text-sm ${'error' in result || !result.ok ? 'text-danger-fg' : 'text-success-fg'}`}>
            {'error' in result ? (
              <>
                <XCircle size={16} className="mt-0.5 shrink-0" aria-hidden="true" /> Could not test {p.id}: {result.error}
              </>
            ) : (
              <>
                {result.ok ? <CheckCircle2 size={16} className="mt-0.5 shrink-0" aria-hidden="true" /> : <XCircle size={16} className="mt-0.5 shrink-0" aria-hidden="true" />}
                <span>
                  <strong>{result.ok ? 'Connected' : 'Failed'}</strong>: {result.message} <span className="text-fg-muted">({result.durationMs} ms)</span>
                </span>
              </>
            )}
          </p>
        )}
      </div>
      <button type="button" className="btn-sm" onClick={() => void test()} disabled={testing} aria-label={`Test connection to ${p.id}`}>
        {testing ? <Loader2 size={14} className="animate-spin" aria-hidden="true" /> : <PlugZap size={14} aria-hidden="true" />}
        {testing ? 'Testing…' : 'Test connection'}
      </button>
    </li>
  );
}

/** Where the key comes from, in a sentence: the runner's own note when it gives one (it names the variable). */
function describeSource(p: ProviderStatus): string {
  const credential = p.credential ? ` (credential “${p.credential}”)` : '';
  if (!p.note) return `${SOURCE_TEXT[p.source]}${credential}.`;
  const note = p.note.charAt(0).toUpperCase() + p.note.slice(1);
  return `${note}${note.endsWith('.') ? '' : '.'}${p.source === 'credential' ? ` ${SOURCE_TEXT.credential}${credential}.` : ''}`;
}

/** The credential name a provider's key is stored under when none exists yet. */
const keyName = (provider: string) => `${provider}-api-key`;

function StoreProviderKey({ api, providers, onStored }: { api: ApiClient; providers: ProviderStatus[] | undefined; onStored: () => void }) {
  const [provider, setProvider] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  const chosen = providers?.find((p) => p.id === provider);

  const save = async () => {
    if (!provider) return setError('Choose the provider the key is for.');
    if (!value.trim()) return setError('Paste the key.');
    setBusy(true);
    setError(undefined);
    try {
      // A provider's existing credential is replaced, rather than a second one added beside it.
      const name = chosen?.source === 'credential' && chosen.credential ? chosen.credential : keyName(provider);
      await api.putCredential(name, { kind: 'provider', provider, value: value.trim() });
      setValue('');
      toast.success(`Stored the ${provider} key${chosen?.source === 'env' ? ': the environment’s key still wins while it is set' : ''}`);
      onStored();
    } catch (e) {
      setError(`Could not store the key: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      aria-label="Store a provider key"
      className="mt-4 flex flex-col gap-3 rounded-lg bg-surface-2 p-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 className="m-0 text-sm font-semibold">Store a provider key</h3>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-provider`} className="text-xs font-medium text-fg-muted">
            Provider
          </label>
          <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value)} className="w-44">
            <option value="">Choose…</option>
            {providers?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
        </div>
        <div className="flex min-w-64 flex-1 flex-col gap-1">
          <label htmlFor={`${id}-key`} className="text-xs font-medium text-fg-muted">
            API key
          </label>
          <input id={`${id}-key`} type="password" value={value} maxLength={CREDENTIAL_VALUE_MAX} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} placeholder="sk-…" />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save key'}
        </button>
      </div>
      {chosen?.source === 'env' && <p className="m-0 text-sm text-warning-fg">{chosen.id} takes its key from the runner’s environment, which wins: a key stored here is used only once that variable is unset.</p>}
      <p className="m-0 text-xs text-fg-muted">Stored encrypted on the runner and never shown again, here or anywhere.</p>
      {error && <ErrorLine>{error}</ErrorLine>}
    </form>
  );
}
