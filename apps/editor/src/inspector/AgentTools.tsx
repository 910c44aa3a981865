import { useState } from 'react';
import { useStore } from 'zustand';
import type { FlowState, FlowStore } from '../store/flow-store';

/** The agent's ports that take attached nodes, and the ports that give them by kind. */
const TOOLS_HANDLE = 'tools';
const HANDOFFS_HANDLE = 'handoffs';
const GIVING_PORT: Record<string, string> = { tool: 'tool', agent: 'agent' };

interface Candidate {
  id: string;
  type: string;
  label: string;
}

/** Tool and agent nodes as one string, so the selector's result compares by value and moves do not re-render. */
const selectCandidates = (s: FlowState) =>
  s.document.nodes
    .filter((n) => n.type in GIVING_PORT)
    .map((n) => {
      const toolName = n.type === 'tool' && typeof n.config.name === 'string' ? n.config.name : undefined;
      const base = n.name ? (toolName ? `${n.name} (${toolName})` : n.name) : (toolName ?? n.id);
      return `${n.id}\t${n.type}\t${n.type === 'agent' ? `${base} (agent)` : base}`;
    })
    .join('\n');

function parseCandidates(key: string): Candidate[] {
  return key
    ? key.split('\n').map((line) => {
        const [id = '', type = '', label = ''] = line.split('\t');
        return { id, type, label };
      })
    : [];
}

/**
 * What is attached to an agent: its tools and workers (tool nodes and agents on its Tools
 * handle) and its handoff targets (agents on its Handoffs handle), with wiring and unwiring.
 */
export function AgentTools({ store, agentId }: { store: FlowStore; agentId: string }) {
  const candidates = parseCandidates(useStore(store, selectCandidates)).filter((c) => c.id !== agentId);
  return (
    <>
      <AttachedSection
        store={store}
        agentId={agentId}
        handle={TOOLS_HANDLE}
        title="Tools"
        noun="tool"
        candidates={candidates}
        empty="No tools yet: the agent can only answer from its instructions and task."
        none="Add a Tool node (or another agent, as a worker) to the flow, then connect it here or wire it to the agent's Tools handle."
      />
      <AttachedSection
        store={store}
        agentId={agentId}
        handle={HANDOFFS_HANDLE}
        title="Handoffs"
        noun="handoff"
        candidates={candidates.filter((c) => c.type === 'agent')}
        empty="No handoff targets: the agent keeps the conversation to itself."
        none="Add another Agent node to the flow, then connect it here to let this agent hand the conversation over."
      />
    </>
  );
}

function AttachedSection(props: {
  store: FlowStore;
  agentId: string;
  handle: string;
  title: string;
  noun: string;
  candidates: Candidate[];
  empty: string;
  none: string;
}) {
  const { store, agentId, handle, title, noun, candidates, empty, none } = props;
  const edges = useStore(store, (s) => s.document.edges);
  const [choice, setChoice] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();

  const wired = edges.filter((e) => e.target === agentId && e.targetHandle === handle);
  const wiredIds = new Set(wired.map((e) => e.source));
  const available = candidates.filter((t) => !wiredIds.has(t.id));
  const labelOf = (id: string) => candidates.find((t) => t.id === id)?.label ?? id;
  const selected = available.some((t) => t.id === choice) ? choice : (available[0]?.id ?? '');
  const Noun = noun[0]!.toUpperCase() + noun.slice(1);

  const connect = () => {
    const chosen = available.find((t) => t.id === selected);
    if (!chosen) return;
    const result = store.getState().connect({ source: chosen.id, sourceHandle: GIVING_PORT[chosen.type]!, target: agentId, targetHandle: handle });
    setStatus(result.ok ? { ok: true, text: `Connected ${chosen.label}.` } : { ok: false, text: `Cannot connect ${chosen.label}: ${result.reason}` });
  };

  return (
    <section className="inspector-tools" aria-labelledby={`${handle}-${agentId}`}>
      <h4 id={`${handle}-${agentId}`} className="inspector-subheading">
        {title}
      </h4>
      {wired.length === 0 ? (
        <p className="inspector-note">{empty}</p>
      ) : (
        <ul className="inspector-tool-list">
          {wired.map((e) => (
            <li key={e.id}>
              <span>{labelOf(e.source)}</span>
              <button
                type="button"
                className="quiet"
                aria-label={`Disconnect ${noun} ${labelOf(e.source)}`}
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
      {candidates.length === 0 ? (
        <p className="inspector-note">{none}</p>
      ) : available.length === 0 ? (
        <p className="inspector-note">Every {noun === 'tool' ? 'tool and agent' : 'other agent'} of the flow is connected.</p>
      ) : (
        <div className="inspector-tool-connect">
          <select aria-label={`${Noun} to connect`} value={selected} onChange={(e) => setChoice(e.target.value)}>
            {available.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          <button type="button" onClick={connect}>
            Connect {noun}
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
