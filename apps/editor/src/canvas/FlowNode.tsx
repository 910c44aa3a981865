import { memo, useMemo, type CSSProperties } from 'react';
import type { Node, NodeProps } from '@xyflow/react';
import { TriangleAlert } from 'lucide-react';
import { kinds } from '@trellis/nodes';
import { NodeActions } from './NodeActions';
import { AttachmentLabels, NodeHandles, OutputRows } from './NodeHandles';
import { NodeRunStatus } from './NodeRunStatus';
import { nodeLook } from './node-look';
import { placedPorts } from './node-ports';
import { nodePreview } from './node-preview';
import './canvas.css';

export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  name?: string;
  config: unknown;
  problems: number;
  /** Where the node stands in the run on show, if any. */
  run?: string;
  /** The step's duration, tokens and output (as JSON, cut), in the run on show. */
  durationMs?: number;
  tokens?: number;
  output?: string;
  /** For a body node of the run on show: how many of its rounds are done, e.g. "12/40 done". */
  rounds?: string;
  /** For a container: what it goes over and how, in one line. */
  summary?: string;
  collapsed?: boolean;
  /** For a collapsed container: what its body holds ("3 steps inside"). */
  body?: string;
}

export type CanvasNode = Node<FlowNodeData, 'trellis' | 'container'>;

/** The accessible name tests and screen readers find a node by: "Prompt node Classify ticket (succeeded)". */
export const nodeAriaLabel = (kindLabel: string, name: string, run: string | undefined) => `${kindLabel} node ${name}${run ? ` (${run})` : ''}`;

/** The class names a node card's state adds: selected, problems, run status. */
export function nodeStateClasses(selected: boolean, data: FlowNodeData): string {
  return `${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}${data.run ? ` run-${data.run}` : ''}`;
}

/** A red badge on the card's corner counting its problems (listed in the problems panel). */
export function ProblemBadge({ count }: { count: number }) {
  if (count === 0) return null;
  const text = count === 1 ? '1 problem' : `${count} problems`;
  return (
    <span className="node-problems" title={text}>
      <TriangleAlert size={12} aria-hidden="true" />
      {count}
      <span className="sr-only"> {count === 1 ? 'problem' : 'problems'}</span>
    </span>
  );
}

/**
 * One node on the canvas: an icon chip coloured by its kind's category, its name and kind, a
 * one-line preview of its config, labelled output rows where outputs are told apart, and where
 * the run on show stands. Memoized, and fed only plain data that keeps its identity while the
 * node is unchanged (see use-canvas-elements), so dragging one node re-renders that node alone.
 * Ports and preview are worked out once per config, not on every frame of a drag.
 */
export const FlowNode = memo(function FlowNode({ id, data, selected }: NodeProps<CanvasNode>) {
  const spec = kinds.get(data.type);
  const ports = useMemo(() => placedPorts(data.type, data.config), [data.type, data.config]);
  const preview = useMemo(() => nodePreview(data.type, data.config), [data.type, data.config]);
  const look = nodeLook(data.type);
  const Icon = look.icon;
  const kindLabel = spec?.label ?? data.type;
  const name = data.name ?? id;
  return (
    <div
      className={`trellis-node${nodeStateClasses(selected, data)}${ports.attachments.length ? ' has-attachments' : ''}`}
      style={{ '--node-accent': look.color } as CSSProperties}
      aria-label={nodeAriaLabel(kindLabel, name, data.run)}
    >
      {selected && <NodeActions id={id} />}
      <div className="node-head">
        <span className="node-chip" aria-hidden="true">
          <Icon size={18} strokeWidth={2} />
        </span>
        <div className="node-titles">
          <div className="name" title={name}>
            {name}
          </div>
          <div className="kind">{spec?.label ?? `Unknown kind "${data.type}"`}</div>
        </div>
      </div>
      {preview && (
        <div className="node-preview" title={preview}>
          {preview}
        </div>
      )}
      <OutputRows ports={ports} />
      {data.rounds && <div className="rounds-done">{data.rounds}</div>}
      {data.run && <NodeRunStatus name={name} status={data.run} durationMs={data.durationMs} tokens={data.tokens} output={data.output} />}
      <AttachmentLabels ports={ports} />
      <ProblemBadge count={data.problems} />
      <NodeHandles ports={ports} />
    </div>
  );
});
