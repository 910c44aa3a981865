import { memo, useMemo, type CSSProperties } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { kinds } from '@trellis/nodes';
import { nodePorts } from '@trellis/schema';

export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  name?: string;
  config: unknown;
  problems: number;
  /** Where the node stands in the run on show, if any. */
  run?: string;
  /** For a body node of the run on show: how many of its rounds are done, e.g. "12/40 done". */
  rounds?: string;
  /** For a container: what it goes over and how, in one line. */
  summary?: string;
  collapsed?: boolean;
  /** For a collapsed container: what its body holds ("3 steps inside"). */
  body?: string;
}

export type CanvasNode = Node<FlowNodeData, 'trellis' | 'container'>;

interface PlacedPort {
  id: string;
  label: string;
  style: CSSProperties;
}

const NO_PORTS: { inputs: PlacedPort[]; outputs: PlacedPort[] } = { inputs: [], outputs: [] };

/**
 * The handles of a node of this kind with this config, spread evenly down each side: the same
 * ports a wire is checked against. A config the kind cannot read yet gets none; its problems say why.
 */
export function placedPorts(type: string, config: unknown): { inputs: PlacedPort[]; outputs: PlacedPort[] } {
  const ports = nodePorts(kinds, { type, config: config as Record<string, unknown> });
  if (!ports) return NO_PORTS;
  const place = (list: ReadonlyArray<{ id: string; label: string }>) =>
    list.map((port, i) => ({ id: port.id, label: port.label, style: { top: `${((i + 1) / (list.length + 1)) * 100}%` } }));
  return { inputs: place(ports.inputs), outputs: place(ports.outputs) };
}

/** A node's problem count and its handles: what plain nodes and containers draw alike. */
export function NodeFooter({ problems, ports }: { problems: number; ports: { inputs: PlacedPort[]; outputs: PlacedPort[] } }) {
  return (
    <>
      {problems > 0 && <div className="problems">{problems === 1 ? '1 problem' : `${problems} problems`}</div>}
      {ports.inputs.map((port) => (
        <Handle key={port.id} id={port.id} type="target" position={Position.Left} style={port.style} title={port.label} />
      ))}
      {ports.outputs.map((port) => (
        <Handle key={port.id} id={port.id} type="source" position={Position.Right} style={port.style} title={port.label} />
      ))}
    </>
  );
}

/**
 * One node on the canvas: its kind, its name, a handle per port of its kind. Memoized, and fed
 * only plain data that keeps its identity while the node is unchanged (see use-canvas-elements),
 * so dragging one node re-renders that node alone. The ports (and the handles' styles) are worked
 * out once per config, not on every frame of a drag.
 */
export const FlowNode = memo(function FlowNode({ id, data, selected }: NodeProps<CanvasNode>) {
  const spec = kinds.get(data.type);
  const ports = useMemo(() => placedPorts(data.type, data.config), [data.type, data.config]);
  return (
    <div
      className={`trellis-node${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}${data.run ? ` run-${data.run}` : ''}`}
      aria-label={`${spec?.label ?? data.type} node ${data.name ?? id}${data.run ? ` (${data.run})` : ''}`}
    >
      <div className="kind">{spec?.label ?? `Unknown kind "${data.type}"`}</div>
      <div className="name">{data.name ?? id}</div>
      {data.rounds && <div className="rounds-done">{data.rounds}</div>}
      <NodeFooter problems={data.problems} ports={ports} />
    </div>
  );
});


