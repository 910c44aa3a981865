import { useState } from 'react';
import { useStore } from 'zustand';
import type { FlowState, FlowStore } from '../store/flow-store';

/** The agent's port that takes tools, and the tool kind's port that gives one. */
const TOOLS_HANDLE = 'tools';
const TOOL_PORT = 'tool';

interface ToolNode {
  id: string;
  label: string;
}

/** Tool nodes as one string, so the selector's result compares by value and moves do not re-render. */
const selectToolNodes = (s: FlowState) =>
  s.document.nodes
    .filter((n) => n.type === 'tool')
    .map((n) => {
      const toolName = typeof n.config.name === 'string' ? n.config.name : undefined;
      const label = n.name ? (toolName ? `${n.name} (${toolName})` : n.name) : (toolName ?? n.id);
      return `${n.id}\t${label}`;
    })
    .join('\n');

function parseToolNodes(key: string): ToolNode[] {
  return key ? key.split('\n').map((line) => ({ id: line.slice(0, line.indexOf('\t')), label: line.slice(line.indexOf('\t') + 1) })) : [];
}

/** The tools an agent may call: the tool nodes wired to its Tools handle, with wiring and unwiring. */
export function AgentTools({ store, agentId }: { store: FlowStore; agentId: string }) {
  const edges = useStore(store, (s) => s.document.edges);
  const tools = parseToolNodes(useStore(store, selectToolNodes));
  const [choice, setChoice] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();

  const wired = edges.filter((e) => e.target === agentId && e.targetHandle === TOOLS_HANDLE);
  const wiredIds = new Set(wired.map((e) => e.source));
  const available = tools.filter((t) => !wiredIds.has(t.id));
  const labelOf = (id: string) => tools.find((t) => t.id === id)?.label ?? id;
  const selected = available.some((t) => t.id === choice) ? choice : (available[0]?.id ?? '');

  const connect = () => {
    if (!selected) return;
    const result = store.getState().connect({ source: selected, sourceHandle: TOOL_PORT, target: agentId, targetHandle: TOOLS_HANDLE });
    setStatus(result.ok ? { ok: true, text: `Connected ${labelOf(selected)}.` } : { ok: false, text: `Cannot connect ${labelOf(selected)}: ${result.reason}` });
  };

  return (
    <section className="inspector-tools" aria-labelledby={`tools-${agentId}`}>
      <h4 id={`tools-${agentId}`} className="inspector-subheading">
        Tools
      </h4>
      {wired.length === 0 ? (
        <p className="inspector-note">No tools yet: the agent can only answer from its instructions and task.</p>
      ) : (
        <ul className="inspector-tool-list">
          {wired.map((e) => (
            <li key={e.id}>
              <span>{labelOf(e.source)}</span>
              <button
                type="button"
                className="quiet"
                aria-label={`Disconnect tool ${labelOf(e.source)}`}
                onClick={() => {
                  store.getState().removeEdges([e.id]);
                  setStatus({ ok: true, text: `Disconnected ${labelOf(e.source)}.` });
                }}
              >
                Disconnect
              </button>
            </li>
          ))}
        </ul>
      )}
      {tools.length === 0 ? (
        <p className="inspector-note">Add a Tool node to the flow, then connect it here or wire it to the agent's Tools handle.</p>
      ) : available.length === 0 ? (
        <p className="inspector-note">Every tool node of the flow is connected.</p>
      ) : (
        <div className="inspector-tool-connect">
          <select aria-label="Tool to connect" value={selected} onChange={(e) => setChoice(e.target.value)}>
            {available.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          <button type="button" onClick={connect}>
            Connect tool
          </button>
        </div>
      )}
      {status && (
        <p role={status.ok ? 'status' : 'alert'} className={`inspector-message ${status.ok ? 'inspector-message-note' : 'inspector-message-error'}`}>
          {status.text}
        </p>
      )}
    </section>
  );
}
