import { ContainerNode } from './ContainerNode';
import { FlowNode } from './FlowNode';

/** The node components React Flow draws: a step, and a container (map, loop) holding a body. */
export const nodeTypes = { trellis: FlowNode, container: ContainerNode };
