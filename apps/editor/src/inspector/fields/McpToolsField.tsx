import type { McpToolInfo } from '@trellis/schema';
import { useState } from 'react';
import type { ApiClient } from '../../api';
import { chooseAll, chooseTool, isChosen, listRequest, missingTools, needsApproval, readMcp, setApproval } from '../mcp-tools';
import { describedBy, FieldShell, problemMessages, type FieldProps, type Message } from './FieldShell';

type Load = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; tools: McpToolInfo[] } | { status: 'failed'; error: string };

/**
 * An MCP tool node's tools (the hint's path is the config's `mcp`): "Load tools" asks the runner to
 * list the server's tools (under the runner's network rules), then a checkbox per tool gives it to
 * the agent and another makes its calls wait for approval. Before loading, the saved choice shows.
 */
export function McpToolsField({ hint, value, write, problems, fieldId, api }: FieldProps & { api: ApiClient }) {
  const [load, setLoad] = useState<Load>({ status: 'idle' });
  const mcp = readMcp(value);
  const request = listRequest(mcp);
  const listed = load.status === 'ready' ? load.tools.map((t) => t.name) : undefined;

  const messages: Message[] = [
    ...(listed ? missingTools(mcp, listed).map((name) => ({ level: 'error' as const, text: `The server no longer lists "${name}": untick it or the run will fail.` })) : []),
    ...problemMessages(problems),
  ];

  async function loadTools() {
    if (typeof request === 'string') return;
    setLoad({ status: 'loading' });
    try {
      setLoad({ status: 'ready', tools: (await api.listMcpTools(request)).tools });
    } catch (error) {
      setLoad({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }

  const allId = `${fieldId}-all`;
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages}>
      <div className="inspector-row-actions">
        <button type="button" onClick={() => void loadTools()} disabled={typeof request === 'string' || load.status === 'loading'} aria-describedby={describedBy(fieldId, hint.help, messages)}>
          {load.status === 'loading' ? 'Loading tools…' : load.status === 'ready' ? 'Reload tools' : 'Load tools'}
        </button>
      </div>
      {typeof request === 'string' && <p className="inspector-note">{request}</p>}
      {load.status === 'failed' && (
        <p className="inspector-message inspector-message-error" role="alert">
          Could not list the server's tools: {load.error}
        </p>
      )}
      {load.status === 'ready' && (
        <>
          <label className="inspector-check" htmlFor={allId}>
            <input id={allId} type="checkbox" checked={!mcp.tools} onChange={(e) => write(chooseAll(mcp, e.target.checked, listed ?? []))} />
            All tools, including ones the server adds later
          </label>
          {load.tools.length === 0 && <p className="inspector-note">The server lists no tools.</p>}
          <ul className="inspector-mcp-tools" aria-label="The server's tools">
            {load.tools.map((tool) => {
              const chosen = isChosen(mcp, tool.name);
              return (
                <li key={tool.name}>
                  <label className="inspector-check">
                    <input type="checkbox" checked={chosen} aria-label={`Give ${tool.name} to the agent`} onChange={(e) => write(chooseTool(mcp, tool.name, e.target.checked, listed ?? []))} />
                    <code>{tool.name}</code>
                  </label>
                  {tool.description && <p className="inspector-help">{tool.description}</p>}
                  <label className="inspector-check">
                    <input type="checkbox" checked={needsApproval(mcp, tool.name)} disabled={!chosen} aria-label={`${tool.name} needs approval`} onChange={(e) => write(setApproval(mcp, tool.name, e.target.checked))} />
                    Needs approval
                  </label>
                </li>
              );
            })}
          </ul>
        </>
      )}
      {load.status !== 'ready' && (
        <p className="inspector-note">
          {mcp.tools ? `Chosen: ${mcp.tools.join(', ') || 'none'}.` : 'All of the server’s tools.'}
          {mcp.approval?.length ? ` Needing approval: ${mcp.approval.join(', ')}.` : ''}
        </p>
      )}
    </FieldShell>
  );
}
