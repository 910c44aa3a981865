/** The props of the lazily loaded code editor, in a module of their own so the eager code never imports CodeMirror. */

/** What a template field knows about its scope: to mark unknown variables and complete names. */
export interface TemplateHints {
  /** Why the variables of one `{{ … }}` span will not resolve, or undefined when they will. */
  problemOf(span: string): string | undefined;
  /** Names to complete under a path: `[]` → roots, `['nodes']` → step ids, `['vars']` → var names. */
  properties(path: readonly string[]): string[];
}

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  onBlur: () => void;
  /** The field's label: the editor's accessible name. */
  label: string;
  /** Ids of the help and messages under the field. */
  describedBy?: string;
  language: 'liquid' | 'json';
  templateHints?: TemplateHints;
}
