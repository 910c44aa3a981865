/**
 * One line that says what a node does, from its config: the model and the start of the prompt,
 * a condition's branch expressions, a tool's method and host... Pure, and safe on any config: a
 * node is drawn while its config is half edited (or fails its checks), so nothing here may throw
 * or trust a shape.
 */

/** The longest preview; the card cuts it again with an ellipsis where it runs out of room. */
export const PREVIEW_MAX = 90;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const get = (v: unknown, key: string): unknown => (isObj(v) ? v[key] : undefined);

/** Whitespace collapsed, cut at `max` characters with an ellipsis. */
export function oneLine(text: string, max = PREVIEW_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** `openai:gpt-4.1-mini` → `gpt-4.1-mini`: the provider is rarely what tells two nodes apart. */
const modelName = (model: unknown): string | undefined => str(model)?.replace(/^[^:]+:/, '');

/** A library prompt reference (`{ ref: "triage@3" }`) by its name, or inline text. */
function textOrRef(value: unknown, inlineKey?: string): string | undefined {
  const ref = str(get(value, 'ref'));
  if (ref) return `prompt ${ref}`;
  return str(inlineKey ? get(value, inlineKey) : value);
}

const joined = (parts: ReadonlyArray<string | undefined>) => parts.filter((p): p is string => p !== undefined).join(' · ');

function host(url: string): string {
  // A URL may be a template ("{{ vars.api }}/items"): show it as written when it does not parse.
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

function toolPreview(config: Obj): string | undefined {
  const name = str(config.name);
  switch (config.tool) {
    case 'http': {
      const http = get(config, 'http');
      const url = str(get(http, 'url'));
      return joined([str(get(http, 'method')) ?? 'GET', url ? host(url) : undefined, name]);
    }
    case 'mcp': {
      const mcp = get(config, 'mcp');
      return joined(['MCP', str(get(mcp, 'server')), str(get(mcp, 'tool')) ?? name]);
    }
    case 'code':
      return joined(['code', name]);
    case 'transform':
      return joined(['transform', name ?? str(config.expression)]);
    default:
      return name;
  }
}

/** An output's value: a template's start, or an object's keys. */
function valuePreview(value: unknown): string | undefined {
  if (typeof value === 'string') return str(value);
  if (isObj(value)) {
    const keys = Object.keys(value);
    return keys.length ? `{ ${keys.join(', ')} }` : undefined;
  }
  return value === undefined ? undefined : JSON.stringify(value);
}

function preview(type: string, c: Obj): string | undefined {
  switch (type) {
    case 'prompt':
      return joined([modelName(c.model), textOrRef(c.prompt, 'template') ?? textOrRef(c.system)]);
    case 'agent':
      return joined([modelName(c.model), textOrRef(c.instructions)]);
    case 'condition': {
      const branches = Array.isArray(c.branches) ? c.branches : [];
      return branches.map((b) => str(get(b, 'when'))).filter(Boolean).join(' | ') || undefined;
    }
    case 'guardrail': {
      const rules = Array.isArray(c.rules) ? c.rules.length : 0;
      return joined([`${rules} ${rules === 1 ? 'rule' : 'rules'}`, str(c.value)]);
    }
    case 'tool':
      return toolPreview(c);
    case 'subflow':
      return joined([str(c.flow) ? `flow ${c.flow as string}` : undefined, typeof c.version === 'number' ? `v${c.version}` : str(c.version)]);
    case 'approval':
      return str(c.title) ?? str(c.message);
    case 'human-input':
      return str(c.title) ?? str(c.question);
    case 'map':
      return str(c.items) && `over ${c.items as string}`;
    case 'loop':
      return joined([str(c.until) && `until ${c.until as string}`, typeof c.maxIterations === 'number' ? `max ${c.maxIterations}` : undefined]);
    case 'output':
      return valuePreview(c.value);
    case 'input': {
      const props = get(get(c, 'schema'), 'properties');
      return isObj(props) && Object.keys(props).length ? Object.keys(props).join(', ') : undefined;
    }
    default:
      return undefined;
  }
}

/** The node's one-line preview ('' when its config says nothing yet). Never throws. */
export function nodePreview(type: string, config: unknown): string {
  if (!isObj(config)) return '';
  try {
    return oneLine(preview(type, config) || '');
  } catch {
    return '';
  }
}
