import { memo, useMemo } from 'react';
import { NodeResizer, type NodeProps } from '@xyflow/react';
import { kinds } from '@trellis/nodes';
import { MIN_CONTAINER_SIZE } from './bodies';
import { useCanvasActions } from './canvas-actions';
import { NodeFooter, placedPorts, type CanvasNode } from './FlowNode';

const ICONS: Record<string, string> = { map: '⇶', loop: '↻' };

/**
 * A map or loop: a box its body's steps sit in (React Flow draws them as its children), resizable
 * while selected, with a header that names it and says what it goes over. Its own handles stay on
 * the box's outer edges: they are how data enters and its result leaves. Collapsed, it is drawn
 * as a plain node that says how many steps it holds (its body is hidden, which also keeps a large
 * flow light).
 */
export const ContainerNode = memo(function ContainerNode({ id, data, selected }: NodeProps<CanvasNode>) {
  const spec = kinds.get(data.type);
  const ports = useMemo(() => placedPorts(data.type, data.config), [data.type, data.config]);
  const { setCollapsed } = useCanvasActions();
  const label = spec?.label ?? data.type;
  const name = data.name ?? id;
  const collapsed = data.collapsed === true;
  const classes = ['trellis-node', 'trellis-container', collapsed ? 'collapsed' : 'open', selected ? 'selected' : '', data.problems ? 'has-problems' : '', data.run ? `run-${data.run}` : ''];
  return (
    <div className={classes.filter(Boolean).join(' ')} aria-label={`${label} node ${name}${data.run ? ` (${data.run})` : ''}`}>
      {!collapsed && <NodeResizer isVisible={selected} minWidth={MIN_CONTAINER_SIZE.width} minHeight={MIN_CONTAINER_SIZE.height} color="#3b5bdb" />}
      <div className="container-head">
        <span className="container-icon" aria-hidden="true">
          {ICONS[data.type] ?? '▢'}
        </span>
        <span className="kind">{label}</span>
        <span className="name">{name}</span>
        <button
          type="button"
          className="container-toggle nodrag"
          aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${name}`}
          aria-expanded={!collapsed}
          title={collapsed ? 'Show the steps inside' : 'Fold into one node'}
          onClick={() => setCollapsed(id, !collapsed)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
      </div>
      {data.summary && <div className="container-summary">{data.summary}</div>}
      {collapsed && data.body && <div className="container-body-summary">{data.body}</div>}
      <NodeFooter problems={data.problems} ports={ports} />
    </div>
  );
});
