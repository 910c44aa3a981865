import { NodeToolbar, Position } from '@xyflow/react';
import { Copy, FlaskConical, Trash2 } from 'lucide-react';
import { IconButton } from '../ui/IconButton';
import { useCanvasActions } from './canvas-actions';

/**
 * What can be done to the selected node, floating above it: test this step, duplicate, delete.
 * Mounted only while the node is selected, so the other nodes of a large flow subscribe to nothing.
 */
export function NodeActions({ id }: { id: string }) {
  const actions = useCanvasActions();
  return (
    <NodeToolbar position={Position.Top} offset={10} className="node-toolbar" align="end">
      <IconButton label="Test this step" icon={FlaskConical} className="btn-ghost" onClick={() => actions.testStep(id)} />
      <IconButton label="Duplicate" icon={Copy} shortcut="Ctrl+D" className="btn-ghost" onClick={() => actions.duplicateNode(id)} />
      <IconButton label="Delete" icon={Trash2} shortcut="Delete" className="btn-ghost node-toolbar-delete" onClick={() => actions.deleteNode(id)} />
    </NodeToolbar>
  );
}
