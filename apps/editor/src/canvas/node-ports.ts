/**
 * Where a node's handles go: the same ports a wire is checked against, placed by what they carry.
 * Data flows left to right (inputs on the left edge, outputs on the right); attachments hang
 * below, as n8n draws its AI sub-nodes: an agent's `tools` and `handoffs` (non-data inputs) sit on
 * its bottom edge, and what a tool or an agent offers to be attached (a non-data output) on the
 * attached node's top edge, so a resource wire runs straight up and never loops back.
 */
import { kinds } from '@trellis/nodes';
import { nodePorts, type PortSpec } from '@trellis/schema';

export interface PlacedPort {
  id: string;
  label: string;
  /** Along its edge, as a percentage of the node's height (left, right) or width (top, bottom). */
  at: number;
}

export interface NodePorts {
  /** Data inputs, left edge. */
  inputs: PlacedPort[];
  /** Data outputs, right edge. */
  outputs: PlacedPort[];
  /** Attachment inputs (an agent's tools, handoffs), bottom edge. */
  attachments: PlacedPort[];
  /** What the node offers to be attached by (a tool's `tool`, an agent's `agent`), top edge. */
  offers: PlacedPort[];
  /**
   * Whether the data outputs are told apart by label (a condition's branches, approved/rejected,
   * pass/fail): drawn as labelled rows, and their wires carry the label.
   */
  labelled: boolean;
}

const NO_PORTS: NodePorts = { inputs: [], outputs: [], attachments: [], offers: [], labelled: false };

const spread = (list: readonly PortSpec[]): PlacedPort[] => list.map((p, i) => ({ id: p.id, label: p.label, at: ((i + 1) / (list.length + 1)) * 100 }));

/** By config object (the store's configs are immutable): edges and nodes ask for the same ports over and over. */
const cache = new WeakMap<object, { type: string; ports: NodePorts }>();

/** A config the kind cannot read yet gets no handles; its problems say why. */
export function placedPorts(type: string, config: unknown): NodePorts {
  const cacheable = typeof config === 'object' && config !== null;
  const known = cacheable ? cache.get(config) : undefined;
  if (known?.type === type) return known.ports;
  const ports = portsOf(type, config);
  if (cacheable) cache.set(config, { type, ports });
  return ports;
}

function portsOf(type: string, config: unknown): NodePorts {
  const ports = nodePorts(kinds, { type, config: config as Record<string, unknown> });
  if (!ports) return NO_PORTS;
  const data = (p: PortSpec) => p.type === 'data';
  const outputs = ports.outputs.filter(data);
  return {
    inputs: spread(ports.inputs.filter(data)),
    outputs: spread(outputs),
    attachments: spread(ports.inputs.filter((p) => !data(p))),
    offers: spread(ports.outputs.filter((p) => !data(p))),
    labelled: outputs.length > 1,
  };
}

/** The label a wire leaving this port carries: set only where the node's outputs are told apart by label. */
export function edgeLabel(type: string | undefined, config: unknown, sourceHandle: string | null | undefined): string | undefined {
  if (type === undefined || !sourceHandle) return undefined;
  const ports = placedPorts(type, config);
  return ports.labelled ? ports.outputs.find((p) => p.id === sourceHandle)?.label : undefined;
}

/** Whether a wire into this port attaches a resource (a tool, a worker, a handoff target) rather than carrying data. */
export function isAttachment(type: string | undefined, config: unknown, targetHandle: string | null | undefined): boolean {
  if (type === undefined || !targetHandle) return false;
  return placedPorts(type, config).attachments.some((p) => p.id === targetHandle);
}
