import { errorMessage, MockScript, type Flow } from '@trellis/schema';

export interface ParsedMocks {
  /** The script to send with the run; undefined when the text is empty or wrong. */
  mocks?: MockScript;
  /** Why the script cannot be sent; the run does not start while there are any. */
  problems: string[];
  /** Node ids the script has replies for that the flow does not have: likely a typo, but harmless. */
  unknownNodes: string[];
}

/** The mock script typed in the panel, checked against the flow format's MockScript. */
export function parseMocks(text: string, flow: Flow): ParsedMocks {
  if (!text.trim()) return { problems: [], unknownNodes: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problems: [`The mock script is not valid JSON: ${errorMessage(e)}`], unknownNodes: [] };
  }
  const parsed = MockScript.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `The mock script${i.path.length ? ` at ${i.path.join('.')}` : ''}: ${i.message}`);
    return { problems, unknownNodes: [] };
  }
  const ids = new Set(flow.nodes.map((n) => n.id));
  return { mocks: parsed.data, problems: [], unknownNodes: Object.keys(parsed.data).filter((id) => !ids.has(id)) };
}

/** The mock script as the panel's textarea shows it. */
export const mocksText = (mocks: unknown) => (mocks === undefined ? '' : JSON.stringify(mocks, null, 2));
