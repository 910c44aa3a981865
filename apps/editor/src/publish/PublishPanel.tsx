import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiKey, CreatedKey, Flow, Published } from '@trellis/schema';
import type { ApiClient } from '../api';
import { ApiKeys } from './ApiKeys';
import { runnerBase } from './curl';
import { CurlCommand } from './CurlCommand';
import { EndpointList } from './EndpointList';
import { reportError, type ErrorReport } from './errors';
import { ErrorNote } from './ErrorNote';
import { PublishForm } from './PublishForm';

interface Props {
  api: ApiClient;
  flow: Flow;
  /** The latest saved version; undefined until the flow is saved. */
  savedVersion: number | undefined;
  dirty: boolean;
}

/** Publishing the saved flow as an HTTP endpoint, with an API key and a ready curl command. */
export function PublishPanel({ api, flow, savedVersion, dirty }: Props) {
  const base = useMemo(() => runnerBase(api.baseUrl, window.location.href), [api]);
  const { endpoints, keys, loadError, reload } = usePublishing(api);
  const mine = useMemo(() => (endpoints ?? []).filter((e) => e.flowId === flow.id), [endpoints, flow.id]);
  const [chosenSlug, setChosenSlug] = useState<string | undefined>();
  // The fresh secret lives only here, in memory, until hidden: the runner never shows it again.
  const [fresh, setFresh] = useState<CreatedKey | undefined>();
  const slug = mine.find((e) => e.slug === chosenSlug)?.slug ?? mine[0]?.slug;

  const published = (endpoint: Published) => {
    setChosenSlug(endpoint.slug);
    void reload();
  };
  const unpublish = async (target: string) => {
    await api.unpublish(target);
    await reload();
  };
  const revoke = async (key: ApiKey) => {
    await api.revokeKey(key.id);
    if (fresh?.key.id === key.id) setFresh(undefined);
    await reload();
  };
  const created = (key: CreatedKey) => {
    setFresh(key);
    void reload();
  };

  return (
    <section className="publish-panel" aria-label="Publish">
      <h2>Publish</h2>
      <ErrorNote report={loadError} />
      <PublishForm api={api} flowId={flow.id} savedVersion={savedVersion} dirty={dirty} endpoints={endpoints ?? []} onPublished={published} />

      <h3>Endpoints</h3>
      {endpoints ? <EndpointList endpoints={mine} base={base} onUnpublish={unpublish} /> : !loadError && <p className="note">Loading…</p>}

      <h3>API keys</h3>
      <ApiKeys api={api} keys={keys} slug={slug} defaultName={`${flow.id} key`} fresh={fresh} onCreated={created} onHide={() => setFresh(undefined)} onRevoke={revoke} />

      <h3>Call it</h3>
      {slug ? <CurlCommand api={api} flow={flow} endpoints={mine} slug={slug} onSlug={setChosenSlug} base={base} fresh={fresh} /> : <p className="note">Publish the flow to get a command that calls it.</p>}
    </section>
  );
}

/** Published endpoints (of every flow: slugs are shared) and API keys, reloaded after each change. */
function usePublishing(api: ApiClient) {
  const [endpoints, setEndpoints] = useState<Published[] | undefined>();
  const [keys, setKeys] = useState<ApiKey[] | undefined>();
  const [loadError, setLoadError] = useState<ErrorReport | undefined>();

  const reload = useCallback(async () => {
    try {
      const [e, k] = await Promise.all([api.listPublished(), api.listKeys()]);
      setEndpoints(e);
      setKeys(k);
      setLoadError(undefined);
    } catch (error) {
      setLoadError(reportError('Could not load the endpoints and keys', error));
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);
  return { endpoints, keys, loadError, reload };
}
