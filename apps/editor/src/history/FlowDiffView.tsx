import type { FlowDiff, NodeChange } from '@trellis/schema';
import { isEmptyDiff } from '@trellis/schema';
import { changeKind, fieldLabel, flowFieldLabel, formatValue, POLICY_LABELS, summarize, wordChanges, type ValueChange } from './history-model';

/** The differences between two versions: the flow's own fields, then node by node, wire by wire, and moves last. */
export function FlowDiffView({ diff, title }: { diff: FlowDiff; title: string }) {
  const empty = isEmptyDiff(diff);
  return (
    <section className="history-diff" aria-label={title}>
      <h3>{title}</h3>
      <p className="history-summary">{empty ? 'No differences: the two versions are the same.' : summarize(diff)}</p>
      {diff.flow.length > 0 && (
        <section aria-label="Flow settings changes">
          <h4>Flow</h4>
          <ul className="history-fields">
            {diff.flow.map((change) => (
              <FieldRow key={change.path} label={flowFieldLabel(change.path)} change={change} />
            ))}
          </ul>
          {diff.truncated && <p className="note">More flow settings changed than are listed here.</p>}
        </section>
      )}
      {diff.nodes.length > 0 && (
        <section aria-label="Node changes">
          <h4>Nodes</h4>
          <ul className="history-nodes">
            {diff.nodes.map((node) => (
              <NodeItem key={node.id} node={node} />
            ))}
          </ul>
        </section>
      )}
      {diff.edges.length > 0 && (
        <section aria-label="Wire changes">
          <h4>Wires</h4>
          <ul className="history-edges">
            {diff.edges.map((edge, i) => (
              <li key={i} className={`history-${edge.change}`}>
                <span className="history-badge">{edge.change === 'added' ? 'Added' : 'Removed'}</span> {edge.label}
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.moved.length > 0 && (
        <details className="history-moves">
          <summary>
            {diff.moved.length === 1 ? '1 node' : `${diff.moved.length} nodes`} moved on the canvas (no change to what the flow does)
          </summary>
          <ul>
            {diff.moved.map((m) => (
              <li key={m.id}>
                {m.label}: ({Math.round(m.before.x)}, {Math.round(m.before.y)}) → ({Math.round(m.after.x)}, {Math.round(m.after.y)})
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

const CHANGE_WORD = { added: 'added', removed: 'removed', changed: 'changed' } as const;

function NodeItem({ node }: { node: NodeChange }) {
  const title = node.label === node.id ? node.id : `${node.label} (${node.id})`;
  return (
    <li className={`history-node history-${node.change}`} aria-label={`${node.label}: ${CHANGE_WORD[node.change]}`}>
      <p className="history-node-title">
        <span className="history-badge">{node.change === 'added' ? 'Added' : node.change === 'removed' ? 'Removed' : 'Changed'}</span> <strong>{title}</strong>{' '}
        <span className="history-kind">{node.type}</span>
      </p>
      {node.change === 'changed' && (
        <ul className="history-fields">
          {node.typeChanged && <FieldRow label="Kind" change={node.typeChanged} />}
          {node.nameChanged && <FieldRow label="Name" change={node.nameChanged} />}
          {node.config.map((change) => (
            <FieldRow key={change.path} label={fieldLabel(node.type, change.path, change.items)} path={change.path} change={change} />
          ))}
          {node.policy.map((change) => (
            <FieldRow key={`policy-${change.path}`} label={`Run policy › ${POLICY_LABELS[change.path] ?? change.path}`} change={change} />
          ))}
          {node.typeVersionChanged && <FieldRow label="Config version" change={node.typeVersionChanged} />}
        </ul>
      )}
      {node.truncated && <p className="note">More settings of this node changed than are listed here.</p>}
    </li>
  );
}

/** One changed value: text edits word by word, anything else as before and after. */
function FieldRow({ label, path, change }: { label: string; path?: string; change: ValueChange }) {
  const kind = changeKind(change);
  const words = kind === 'changed' ? wordChanges(change) : undefined;
  return (
    <li className={`history-field history-${kind}`} aria-label={`${label}: ${kind}`}>
      <span className="history-field-name" title={path}>
        {label}
      </span>{' '}
      <span className="history-field-kind">{kind}</span>
      {words ? (
        <pre className="history-words">
          {words.map((part, i) =>
            part.kind === 'same' ? (
              <span key={i}>{part.text}</span>
            ) : part.kind === 'added' ? (
              <ins key={i}>{part.text}</ins>
            ) : (
              <del key={i}>{part.text}</del>
            ),
          )}
        </pre>
      ) : (
        <div className="history-values">
          {'before' in change && (
            <div>
              <span className="history-side">Before</span>
              <pre className="history-before">{formatValue(change.before)}</pre>
            </div>
          )}
          {'after' in change && (
            <div>
              <span className="history-side">After</span>
              <pre className="history-after">{formatValue(change.after)}</pre>
            </div>
          )}
        </div>
      )}
    </li>
  );
}
