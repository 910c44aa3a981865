import { useCallback, useEffect, useState } from 'react';
import { KeyRound, RotateCw, TriangleAlert } from 'lucide-react';
import { errorMessage, type ApiKey, type Published } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import type { Route } from '../routes';
import { EmptyState, Page, PageHeader } from '../ui/Page';
import { toast } from '../ui/toast';
import { ConfirmDialog } from './ConfirmDialog';
import { CreateKeyDialog } from './CreateKeyDialog';

/**
 * API keys for the published flows: create one (limited to chosen endpoints, its secret shown
 * once), see which endpoints each may call and when it was last used, revoke it.
 */
export function KeysPage({ api }: { api: ApiClient; go: (route: Route) => void }) {
  const [keys, setKeys] = useState<ApiKey[] | undefined>();
  const [published, setPublished] = useState<Published[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [showRevoked, setShowRevoked] = useState(false);

  const load = useCallback(() => {
    setError(undefined);
    api.listKeys().then((list) => setKeys([...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))), (e: unknown) => setError(`Could not load the API keys: ${errorMessage(e)}`));
    api.listPublished().then(setPublished, () => setPublished([]));
  }, [api]);
  useEffect(load, [load]);

  const revoke = async (key: ApiKey) => {
    await api.revokeKey(key.id);
    toast.success(`Revoked “${key.name}”: calls made with it are refused from now on`);
    setKeys((prev) => prev?.map((k) => (k.id === key.id ? { ...k, revokedAt: new Date().toISOString() } : k)));
  };

  const active = keys?.filter((k) => !k.revokedAt) ?? [];
  const revoked = keys?.filter((k) => k.revokedAt) ?? [];
  const shown = showRevoked ? [...active, ...revoked] : active;

  return (
    <Page label="API keys">
      <PageHeader
        title="API keys"
        description={
          <>
            Programs call published flows at <code>POST /v1/flows/:slug</code> (and the MCP server) with <code>Authorization: Bearer &lt;key&gt;</code>.
          </>
        }
        actions={<CreateKeyDialog api={api} published={published} onCreated={(made) => setKeys((prev) => [made.key, ...(prev ?? [])])} />}
      />
      {error ? (
        <div role="alert" className="flex items-center gap-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          <span className="flex-1">{error}</span>
          <button type="button" onClick={load}>
            <RotateCw size={14} aria-hidden="true" /> Retry
          </button>
        </div>
      ) : !keys ? (
        <div aria-busy="true" aria-label="Loading the API keys" className="card h-40 animate-pulse bg-surface-2" />
      ) : active.length === 0 && !showRevoked ? (
        <EmptyState title="No active API keys">
          <KeyRound size={28} className="mx-auto mb-2 text-fg-subtle" aria-hidden="true" />
          Create a key to call a published flow from another program. {revoked.length > 0 && <RevokedToggle count={revoked.length} on={showRevoked} onChange={setShowRevoked} />}
        </EmptyState>
      ) : (
        <>
          <div className="card overflow-x-auto">
            <table className="w-full text-sm" aria-label="API keys">
              <thead>
                <tr className="border-b border-border text-left text-xs text-fg-muted">
                  <th className="px-4 py-2 font-medium">Name</th>
                  <th className="px-4 py-2 font-medium">Key</th>
                  <th className="px-4 py-2 font-medium">May call</th>
                  <th className="px-4 py-2 font-medium">Created</th>
                  <th className="px-4 py-2 font-medium">Last used</th>
                  <th className="px-4 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((k) => (
                  <KeyRow key={k.id} apiKey={k} onRevoke={() => revoke(k)} />
                ))}
              </tbody>
            </table>
          </div>
          {revoked.length > 0 && (
            <p className="mt-3 text-sm text-fg-muted">
              <RevokedToggle count={revoked.length} on={showRevoked} onChange={setShowRevoked} />
            </p>
          )}
        </>
      )}
    </Page>
  );
}

function RevokedToggle({ count, on, onChange }: { count: number; on: boolean; onChange: (on: boolean) => void }) {
  return (
    <button type="button" className="btn-ghost btn-sm text-primary" onClick={() => onChange(!on)}>
      {on ? 'Hide' : 'Show'} {count} revoked key{count === 1 ? '' : 's'}
    </button>
  );
}

function KeyRow({ apiKey: k, onRevoke }: { apiKey: ApiKey; onRevoke: () => Promise<void> }) {
  const revoked = k.revokedAt !== undefined;
  return (
    <tr className={`border-b border-border last:border-0 ${revoked ? 'text-fg-subtle' : ''}`}>
      <td className="px-4 py-3 font-medium">
        {k.name}
        {revoked && <span className="ml-2 rounded-full bg-surface-3 px-2 py-0.5 text-xs font-normal text-fg-muted">Revoked</span>}
      </td>
      <td className="px-4 py-3">
        <code className="rounded bg-surface-3 px-1.5 py-0.5 text-xs">{k.prefix}…</code>
      </td>
      <td className="px-4 py-3">
        {k.slugs === null ? (
          <span className="inline-flex items-center gap-1 rounded-full bg-warning-soft px-2 py-0.5 text-xs font-medium text-warning-fg" title="Including flows published later">
            <TriangleAlert size={12} aria-hidden="true" /> All endpoints
          </span>
        ) : k.slugs.length === 0 ? (
          <span className="text-fg-muted">Nothing</span>
        ) : (
          <span className="flex flex-wrap gap-1">
            {k.slugs.map((s) => (
              <code key={s} className="rounded bg-primary-soft px-1.5 py-0.5 text-xs text-primary-strong">
                {s}
              </code>
            ))}
          </span>
        )}
      </td>
      <td className="px-4 py-3 whitespace-nowrap text-fg-muted">
        <When iso={k.createdAt} />
      </td>
      <td className="px-4 py-3 whitespace-nowrap text-fg-muted">{k.lastUsedAt ? <When iso={k.lastUsedAt} /> : 'Never'}</td>
      <td className="px-4 py-3 text-right">
        {!revoked && (
          <ConfirmDialog
            trigger={
              <button type="button" className="btn-danger btn-sm" aria-label={`Revoke ${k.name}`}>
                Revoke
              </button>
            }
            title={`Revoke “${k.name}”?`}
            confirmLabel="Revoke key"
            failure={`Could not revoke ${k.name}`}
            onConfirm={onRevoke}
          >
            Every call made with <code>{k.prefix}…</code> is refused from now on. This cannot be undone.
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}
