/**
 * Every keyboard shortcut of the canvas, in one table: the key handler, the help dialog and
 * the command palette all read it, so what the help lists is what the keys do.
 */
export type CommandId =
  | 'save'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'paste'
  | 'duplicate'
  | 'selectAll'
  | 'delete'
  | 'layout'
  | 'fitView'
  | 'palette'
  | 'help';

export interface Shortcut {
  command: CommandId;
  /** As shown to people, e.g. "Ctrl+Shift+Z". */
  keys: string[];
  label: string;
  /** Works while typing in a field too (saving does; copying text must stay the field's). */
  inFields?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { command: 'save', keys: ['Ctrl+S'], label: 'Save a new version', inFields: true },
  { command: 'undo', keys: ['Ctrl+Z'], label: 'Undo' },
  { command: 'redo', keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], label: 'Redo' },
  { command: 'copy', keys: ['Ctrl+C'], label: 'Copy the selected nodes' },
  { command: 'paste', keys: ['Ctrl+V'], label: 'Paste' },
  { command: 'duplicate', keys: ['Ctrl+D'], label: 'Duplicate the selected nodes' },
  { command: 'selectAll', keys: ['Ctrl+A'], label: 'Select everything' },
  { command: 'delete', keys: ['Delete', 'Backspace'], label: 'Delete the selection' },
  { command: 'layout', keys: ['Ctrl+Shift+L'], label: 'Auto-layout the flow' },
  { command: 'fitView', keys: ['Shift+1'], label: 'Fit the flow in view' },
  { command: 'palette', keys: ['Ctrl+K'], label: 'Open the command palette', inFields: true },
  { command: 'help', keys: ['?'], label: 'Show keyboard shortcuts' },
];

const SHIFTED_DIGITS: Record<string, string> = { '!': '1', '@': '2', '#': '3' };

/** "Ctrl+Shift+Z" for this key event, with Cmd counted as Ctrl (macOS). */
export function chordOf(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): string {
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  let key = event.key;
  // "?" is itself a shifted key: it names the chord on its own.
  if (key === '?') return parts.length ? [...parts, '?'].join('+') : '?';
  if (event.shiftKey) parts.push('Shift');
  if (event.code?.startsWith('Digit')) key = event.code.slice(5);
  key = SHIFTED_DIGITS[key] ?? key;
  parts.push(key.length === 1 ? key.toUpperCase() : key);
  return parts.join('+');
}

const BY_CHORD = new Map(SHORTCUTS.flatMap((s) => s.keys.map((k) => [k, s] as const)));

/** The shortcut a key event means, or undefined. */
export function shortcutFor(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): Shortcut | undefined {
  return BY_CHORD.get(chordOf(event));
}
