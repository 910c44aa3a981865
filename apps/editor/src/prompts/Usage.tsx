import type { PromptUse } from '@trellis/schema';
import { hashOfRoute } from '../routes';

/** Which flows use the prompt, where, and which version each pins; a pin older than the latest is marked. */
export function Usage({ uses, error, latest }: { uses: readonly PromptUse[] | undefined; error?: string; latest: number }) {
  return (
    <section className="prompts-panel prompts-usage" aria-label="Used by">
      <h2>Used by</h2>
      {error && (
        <p role="alert" className="prompts-error">
          Could not tell which flows use this prompt: {error}
        </p>
      )}
      {uses?.length === 0 && <p className="prompts-note">No flow uses this prompt (in its latest version).</p>}
      {uses && uses.length > 0 && (
        <ul aria-label="Flows using this prompt">
          {uses.map((use) => (
            <li key={`${use.flowId} ${use.nodeId} ${use.field}`}>
              <a href={hashOfRoute({ page: 'flow', id: use.flowId })}>{use.flowName}</a> (version {use.flowVersion}) · node {use.nodeName ?? use.nodeId} · <code>{use.field}</code> ·{' '}
              {use.pinned === 'latest' ? 'always the latest version' : `pins version ${use.pinned}`}
              {use.outdated && (
                <strong className="prompts-outdated">
                  {' '}
                  outdated: version {latest} is the latest
                </strong>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
