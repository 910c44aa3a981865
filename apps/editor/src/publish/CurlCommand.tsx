import { useEffect, useRef, useState } from 'react';
import type { CreatedKey, Flow, Published } from '@trellis/schema';
import type { ApiClient } from '../api';
import { copyText, type CopyOutcome } from './clipboard';
import { KEY_ENV_VAR, buildCurl, docsUrl, type ResponseMode } from './curl';
import { reportError, type ErrorReport } from './errors';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';
import { FROM_SCHEMA_LABEL, sampleBodies } from './sample-input';

interface Props {
  api: ApiClient;
  /** The flow as edited: its samples stand in until the published version's document is loaded. */
  flow: Flow;
  /** This flow's endpoints, and the one the command calls. */
  endpoints: Published[];
  slug: string;
  onSlug: (slug: string) => void;
  base: string;
  fresh: CreatedKey | undefined;
}

const MODES: { id: ResponseMode; label: string; note: string }[] = [
  { id: 'sync', label: 'Wait for the output', note: 'Answers 200 with { runId, status, output } once the run succeeds. A run that waits for a person (an approval, or a question with its answer form and answerUrl), or outlasts the wait, answers 202 with a statusUrl to poll with the same key.' },
  { id: 'sse', label: 'Stream the run events (SSE)', note: "Streams the run's events as Server-Sent Events until the run ends or waits for an approval." },
  { id: 'async', label: 'Start it and poll (async)', note: 'Answers 202 at once with { runId, statusUrl }; GET the statusUrl with the same key until the status is succeeded.' },
];

/** The command that calls the endpoint, ready to paste, with the docs beside it. */
export function CurlCommand({ api, flow, endpoints, slug, onSlug, base, fresh }: Props) {
  const endpoint = endpoints.find((e) => e.slug === slug) ?? endpoints[0];
  const published = usePublishedDocument(api, flow, endpoint?.version);
  const bodies = sampleBodies(published.document);
  const [bodyLabel, setBodyLabel] = useState<string | undefined>();
  const [mode, setMode] = useState<ResponseMode>('sync');
  const field = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<CopyOutcome | undefined>();

  if (!endpoint) return <p className="note">Publish the flow to get a command that calls it.</p>;

  const body = bodies.find((b) => b.label === bodyLabel) ?? bodies[0]!;
  const keyFits = fresh !== undefined && (fresh.key.slugs === null || fresh.key.slugs.includes(endpoint.slug));
  const command = buildCurl({ base, slug: endpoint.slug, key: keyFits ? fresh.secret : undefined, body: body.body, mode });
  const copy = () => {
    setCopied(undefined);
    void copyText(command, field.current).then(setCopied);
  };

  return (
    <div className="publish-curl">
      {endpoints.length > 1 && (
        <Field label="Endpoint">
          {(id) => (
            <select id={id} value={endpoint.slug} onChange={(e) => onSlug(e.target.value)}>
              {endpoints.map((e) => (
                <option key={e.slug} value={e.slug}>
                  {e.slug} (version {e.version})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Request body">
        {(id) => (
          <select id={id} value={body.label} onChange={(e) => setBodyLabel(e.target.value)}>
            {bodies.map((b, i) => (
              <option key={i} value={b.label}>
                {b.label === FROM_SCHEMA_LABEL ? b.label : `sample: ${b.label}`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ErrorNote report={published.error} />
      <Field label="Response">
        {(id) => (
          <select id={id} value={mode} onChange={(e) => setMode(e.target.value as ResponseMode)}>
            {MODES.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="note">{MODES.find((m) => m.id === mode)?.note}</p>
      <textarea ref={field} aria-label="curl command" readOnly value={command} rows={command.split('\n').length + 1} spellCheck={false} />
      <div className="publish-row">
        <button type="button" onClick={copy}>
          Copy curl command
        </button>
        <span role="status" className={copied && !copied.ok ? 'field-problem' : 'note'}>
          {copied?.message}
        </span>
      </div>
      <p className="note">
        {keyFits
          ? 'The command carries the new key while it is on show; once hidden, it reads the key from an environment variable.'
          : fresh
            ? `The new key may not call "${endpoint.slug}", so the command reads the key from $${KEY_ENV_VAR}.`
            : `The command reads the key from $${KEY_ENV_VAR}: export ${KEY_ENV_VAR}=<your key> first, or create a key above.`}
      </p>
      <p>
        <a href={docsUrl(base, endpoint.slug)} target="_blank" rel="noreferrer">
          Endpoint docs
        </a>{' '}
        <span className="note">(input and output schemas, errors, and the OpenAPI document at /openapi.json)</span>
      </p>
    </div>
  );
}

/**
 * The document of the published version: the body must fit what the endpoint serves, which may
 * differ from the flow being edited. The edited flow stands in while it loads or when it cannot.
 */
function usePublishedDocument(api: ApiClient, flow: Flow, version: number | undefined): { document: Flow; error?: ErrorReport } {
  const [loaded, setLoaded] = useState<{ version: number; document?: Flow; error?: ErrorReport } | undefined>();
  useEffect(() => {
    if (version === undefined) return;
    let live = true;
    api.getVersion(flow.id, version).then(
      (v) => live && setLoaded({ version, document: v.document }),
      (e: unknown) => live && setLoaded({ version, error: reportError(`Could not load version ${version} for the sample body (using the flow as edited)`, e) }),
    );
    return () => {
      live = false;
    };
  }, [api, flow.id, version]);
  const current = loaded?.version === version ? loaded : undefined;
  return { document: current?.document ?? flow, ...(current?.error ? { error: current.error } : {}) };
}
