import { memo, useMemo, type CSSProperties } from 'react';
import { NodeResizer, type NodeProps } from '@xyflow/react';
import { ChevronDown, ChevronRight } from 'lucide-react';
import { kinds } from '@trellis/nodes';
import { MIN_CONTAINER_SIZE } from './bodies';
import { useCanvasActions } from './canvas-actions';
import { NodeActions } from './NodeActions';
import { NodeHandles } from './NodeHandles';
import { NodeRunStatus } from './NodeRunStatus';
import { nodeLook } from './node-look';
import { placedPorts } from './node-ports';
import { nodeAriaLabel, nodeStateClasses, ProblemBadge, type CanvasNode } from './FlowNode';

/**
 * A map or loop: a tinted box its body's steps sit in (React Flow draws them as its children),
 * resizable while selected, with a header like a node's (icon chip, name, kind) and a line that
 * says what it goes over. Its own handles stay on the box's outer edges: they are how data enters
 * and its result leaves. Collapsed, it is drawn as a plain node that says how many steps it holds
 * (its body is hidden, which also keeps a large flow light).
 */
export const ContainerNode = memo(function ContainerNode({ id, data, selected }: NodeProps<CanvasNode>) {
  const spec = kinds.get(data.type);
  const ports = useMemo(() => placedPorts(data.type, data.config), [data.type, data.config]);
  const { setCollapsed } = useCanvasActions();
  const look = nodeLook(data.type);
  const Icon = look.icon;
  const label = spec?.label ?? data.type;
  const name = data.name ?? id;
  const collapsed = data.collapsed === true;
  const Chevron = collapsed ? ChevronRight : ChevronDown;
  return (
    <div
      className={`trellis-node trellis-container ${collapsed ? 'collapsed' : 'open'}${nodeStateClasses(selected, data)}`}
      style={{ '--node-accent': look.color } as CSSProperties}
      aria-label={nodeAriaLabel(label, name, data.run)}
    >
      {!collapsed && <NodeResizer isVisible={selected} minWidth={MIN_CONTAINER_SIZE.width} minHeight={MIN_CONTAINER_SIZE.height} color="var(--primary)" />}
      {selected && <NodeActions id={id} />}
      <div className="container-head">
        <span className="node-chip" aria-hidden="true">
          <Icon size={16} strokeWidth={2} />
        </span>
        <div className="node-titles">
          <span className="name" title={name}>
            {name}
          </span>
          <span className="kind">{label}</span>
        </div>
        {data.run && <NodeRunStatus name={name} status={data.run} durationMs={data.durationMs} tokens={data.tokens} output={data.output} />}
        <button
          type="button"
          className="container-toggle btn-icon btn-ghost nodrag"
          aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${name}`}
          aria-expanded={!collapsed}
          title={collapsed ? 'Show the steps inside' : 'Fold into one node'}
          onClick={() => setCollapsed(id, !collapsed)}
        >
          <Chevron size={16} aria-hidden="true" />
        </button>
      </div>
      {data.summary && (
        <div className="container-summary node-preview" title={data.summary}>
          {data.summary}
        </div>
      )}
      {collapsed && data.body && <div className="container-body-summary">{data.body}</div>}
      <ProblemBadge count={data.problems} />
      <NodeHandles ports={ports} />
    </div>
  );
});
