import { useEffect, useRef, useState } from 'react';
import type { CorsSettings, FlowVersionSummary, Published } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { readAuthor } from '../author';
import { GateFailure, type GateRefusal } from './GateFailure';
import { PUBLISHED_EVENT } from '../history/PublishLog';
import { formatTime } from '../run/describe';
import { reportError, type ErrorReport } from './errors';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';
import { parseOrigins } from './origins';
import { slugProblem, suggestSlug } from './slug';

interface Props {
  api: ApiClient;
  flowId: string;
  savedVersion: number | undefined;
  dirty: boolean;
  /** Every published endpoint, of every flow: a slug another flow serves is flagged as it is typed. */
  endpoints: Published[];
  onPublished: (endpoint: Published) => void;
}

/** Choose a saved version and a slug (and browser origins), then publish. */
export function PublishForm({ api, flowId, savedVersion, dirty, endpoints, onPublished }: Props) {
  const versions = useVersions(api, flowId, savedVersion);
  const [chosen, setChosen] = useState<number | undefined>();
  const [slug, setSlug] = useState(() => suggestSlug(flowId));
  const [corsText, setCorsText] = useState('');
  const corsTouched = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [gate, setGate] = useState<GateRefusal | undefined>();

  const version = chosen ?? savedVersion;
  const problem = slugProblem(slug);
  const cors = parseOrigins(corsText);
  const takenBy = endpoints.find((e) => e.slug === slug && e.flowId !== flowId);
  const current = endpoints.find((e) => e.slug === slug && e.flowId === flowId);

  // Republishing replaces the endpoint's CORS too: start from what it has, unless already edited.
  useEffect(() => {
    if (!corsTouched.current) setCorsText(current?.cors?.origins.join(', ') ?? '');
  }, [current]);

  if (savedVersion === undefined) return <p>Save the flow to publish it.</p>;

  const publish = async (override?: string) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const settings: CorsSettings | null = cors.origins.length ? { origins: cors.origins } : null;
      const by = readAuthor();
      const endpoint = await api.publish(flowId, { slug, ...(version === undefined ? {} : { version }), cors: settings, ...(override ? { override: { reason: override, ...(by ? { by } : {}) } } : {}) });
      setGate(undefined);
      setDone(`Published version ${endpoint.version} at ${endpoint.url}${override ? ' past its failing gate (the reason is in the publish log)' : ''}`);
      onPublished(endpoint);
      window.dispatchEvent(new Event(PUBLISHED_EVENT));
    } catch (e) {
      // The gate's report shows which cases fail, with a way past it; other refusals are a note.
      if (e instanceof ApiError && e.code === 'gate_failed') setGate({ message: e.message, ...(e.details as Omit<GateRefusal, 'message'> | undefined) });
      else {
        setGate(undefined);
        setError(reportError(`Could not publish "${slug}"`, e));
      }
    } finally {
      setBusy(false);
    }
  };

  const newestFirst = [...(versions.items ?? [])].sort((a, b) => b.version - a.version);
  return (
    <form
      className="publish-form"
      aria-label="Publish a version"
      onSubmit={(e) => {
        e.preventDefault();
        void publish();
      }}
    >
      {dirty && (
        <p className="note">
          Your edits since the last save are not part of any version, so publishing serves a saved version without them. Save first to publish them.
        </p>
      )}
      <Field label="Version">
        {(id) => (
          <select id={id} value={version} onChange={(e) => setChosen(Number(e.target.value))}>
            {newestFirst.length === 0 && <option value={savedVersion}>Version {savedVersion}</option>}
            {newestFirst.map((v) => (
              <option key={v.version} value={v.version}>
                {versionLabel(v, v.version === newestFirst[0]?.version)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ErrorNote report={versions.error} />
      <Field label="Slug">
        {(id) => (
          <input
            id={id}
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            maxLength={200}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem !== undefined}
            aria-describedby="publish-slug-help"
          />
        )}
      </Field>
      <p id="publish-slug-help" className={problem || takenBy ? 'field-problem' : 'note'}>
        {problem ??
          (takenBy
            ? `"${slug}" already serves flow "${takenBy.flowId}": unpublish it there first, or choose another slug.`
            : current
              ? current.version === version
                ? `/v1/flows/${slug} already serves version ${version}; publishing it again only updates its browser origins.`
                : `Publishing moves /v1/flows/${slug} from version ${current.version} to version ${version}.`
              : `The endpoint will be POST /v1/flows/${slug}.`)}
      </p>
      <Field label="Browser origins allowed to call it (CORS, optional)">
        {(id) => (
          <input
            id={id}
            value={corsText}
            onChange={(e) => {
              corsTouched.current = true;
              setCorsText(e.target.value);
            }}
            placeholder="https://app.example.com, or *"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={cors.problem !== undefined}
            aria-describedby="publish-cors-help"
          />
        )}
      </Field>
      <p id="publish-cors-help" className={cors.problem ? 'field-problem' : 'note'}>
        {cors.problem ?? 'Separate origins with commas. Leave empty when only servers call the endpoint.'}
      </p>
      <button type="submit" disabled={busy || problem !== undefined || cors.problem !== undefined || version === undefined}>
        Publish
      </button>
      {done && <p role="status">{done}</p>}
      {gate && <GateFailure refusal={gate} busy={busy} onOverride={(reason) => void publish(reason)} />}
      <ErrorNote report={error} />
    </form>
  );
}

function versionLabel(v: FlowVersionSummary, latest: boolean): string {
  return `Version ${v.version}${latest ? ' (latest)' : ''} · ${formatTime(v.createdAt)}${v.message ? ` · ${v.message}` : ''}`;
}

/** The flow's versions, fetched again after each save. */
function useVersions(api: ApiClient, flowId: string, savedVersion: number | undefined) {
  const [state, setState] = useState<{ items?: FlowVersionSummary[]; error?: ErrorReport }>({});
  useEffect(() => {
    if (savedVersion === undefined) return;
    let live = true;
    api.listVersions(flowId).then(
      (items) => live && setState({ items }),
      (e: unknown) => live && setState({ error: reportError('Could not list the saved versions', e) }),
    );
    return () => {
      live = false;
    };
  }, [api, flowId, savedVersion]);
  return state;
}
