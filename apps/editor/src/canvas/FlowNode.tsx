import { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { kinds } from '@trellis/nodes';

export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  name?: string;
  config: unknown;
  problems: number;
  /** Where the node stands in the run on show, if any. */
  run?: string;
}

export type CanvasNode = Node<FlowNodeData, 'trellis'>;

/**
 * One node on the canvas: its kind, its name, a handle per port of its kind. Memoized, and fed
 * only plain data, so dragging one node re-renders that node alone.
 */
export const FlowNode = memo(function FlowNode({ id, data, selected }: NodeProps<CanvasNode>) {
  const spec = kinds.get(data.type);
  let ports: { inputs: Array<{ id: string; label: string }>; outputs: Array<{ id: string; label: string }> } = { inputs: [], outputs: [] };
  try {
    ports = spec ? spec.ports(data.config as never) : ports;
  } catch {
    // a config the kind cannot read yet: its problems say why; draw no ports
  }
  return (
    <div
      className={`trellis-node${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}${data.run ? ` run-${data.run}` : ''}`}
      aria-label={`${spec?.label ?? data.type} node ${data.name ?? id}${data.run ? ` (${data.run})` : ''}`}
    >
      <div className="kind">{spec?.label ?? `Unknown kind "${data.type}"`}</div>
      <div className="name">{data.name ?? id}</div>
      {data.problems > 0 && <div className="problems">{data.problems === 1 ? '1 problem' : `${data.problems} problems`}</div>}
      {ports.inputs.map((port, i) => (
        <Handle key={port.id} id={port.id} type="target" position={Position.Left} style={{ top: `${((i + 1) / (ports.inputs.length + 1)) * 100}%` }} title={port.label} />
      ))}
      {ports.outputs.map((port, i) => (
        <Handle key={port.id} id={port.id} type="source" position={Position.Right} style={{ top: `${((i + 1) / (ports.outputs.length + 1)) * 100}%` }} title={port.label} />
      ))}
    </div>
  );
});

export const nodeTypes = { trellis: FlowNode };
