import { Handle, Position } from '@xyflow/react';
import type { NodePorts, PlacedPort } from './node-ports';

const along = (side: Position, port: PlacedPort) => (side === Position.Left || side === Position.Right ? { top: `${port.at}%` } : { left: `${port.at}%` });

function Side({ ports, side, type }: { ports: PlacedPort[]; side: Position; type: 'source' | 'target' }) {
  return ports.map((port) => (
    <Handle key={port.id} id={port.id} type={type} position={side} style={along(side, port)} title={port.label} className={`handle-${side === Position.Top || side === Position.Bottom ? 'attach' : 'data'}`} />
  ));
}

/**
 * A node's handles on its edges: data in on the left, out on the right (unless the outputs are
 * drawn as labelled rows, see OutputRows), attachments at the bottom, what it offers at the top.
 */
export function NodeHandles({ ports }: { ports: NodePorts }) {
  return (
    <>
      <Side ports={ports.inputs} side={Position.Left} type="target" />
      {!ports.labelled && <Side ports={ports.outputs} side={Position.Right} type="source" />}
      <Side ports={ports.attachments} side={Position.Bottom} type="target" />
      <Side ports={ports.offers} side={Position.Top} type="source" />
    </>
  );
}

/** Outputs told apart by label (branches, approved/rejected, pass/fail): one row each, its handle at the row's right end. */
export function OutputRows({ ports }: { ports: NodePorts }) {
  if (!ports.labelled) return null;
  return (
    <div className="node-outputs">
      {ports.outputs.map((port) => (
        <div key={port.id} className="node-output" data-port={port.id}>
          <span className="node-output-label">{port.label}</span>
          <Handle id={port.id} type="source" position={Position.Right} title={port.label} className="handle-data" />
        </div>
      ))}
    </div>
  );
}

/** The names of the attachment ports, each above its handle on the bottom edge ("Tools", "Handoffs"). */
export function AttachmentLabels({ ports }: { ports: NodePorts }) {
  if (ports.attachments.length === 0) return null;
  return (
    <div className="node-attachments" aria-hidden="true">
      {ports.attachments.map((port) => (
        <span key={port.id} style={{ left: `${port.at}%` }}>
          {port.label}
        </span>
      ))}
    </div>
  );
}
