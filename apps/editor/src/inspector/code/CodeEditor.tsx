/**
 * The code editor of template and JSON fields: CodeMirror, loaded only when a form shows such
 * a field (see LazyCodeEditor), and each language loaded only when a field needs it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import CodeMirror from '@uiw/react-codemirror';
import type { Extension } from '@codemirror/state';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { Decoration, EditorView, MatchDecorator, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { TEMPLATE_OUTPUT } from '../scope';
import type { CodeEditorProps, TemplateHints } from './types';
import { errorMessage } from '@trellis/schema';

type Language = CodeEditorProps['language'];

async function loadLanguage(language: Language, hints: { current: TemplateHints | undefined }): Promise<Extension> {
  if (language === 'json') return (await import('@codemirror/lang-json')).json();
  const { liquid } = await import('@codemirror/lang-liquid');
  // Completion reads the hints through a ref: the scope changes without rebuilding the editor.
  const names = (path: readonly string[]) => (hints.current?.properties(path) ?? []).map((label) => ({ label, type: 'variable' }));
  return liquid({ variables: names([]), properties: names });
}

/** Marks every `{{ … }}`; one that reads a variable the node will not have is marked as a problem. */
function templateMarks(hints: { current: TemplateHints | undefined }): Extension {
  const decorator = new MatchDecorator({
    regexp: new RegExp(TEMPLATE_OUTPUT.source, 'g'),
    decoration: (match) => {
      const problem = hints.current?.problemOf(match[0]);
      return Decoration.mark(problem ? { class: 'cm-tpl-var cm-tpl-var-unknown', attributes: { title: problem } } : { class: 'cm-tpl-var' });
    },
  });
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = decorator.createDeco(view);
      }
      update(update: ViewUpdate) {
        this.decorations = decorator.updateDeco(update, this.decorations);
      }
    },
    { decorations: (plugin) => plugin.decorations },
  );
}

const theme = EditorView.theme({
  // The design tokens, so the field follows the light or dark theme.
  '&': { fontSize: '0.8rem', border: '1px solid var(--border)', borderRadius: '6px', backgroundColor: 'var(--surface)', color: 'var(--fg)' },
  '&.cm-focused': { outline: '2px solid var(--primary)', outlineOffset: '0' },
  '.cm-content': { fontFamily: 'var(--font-mono)', caretColor: 'var(--fg)' },
  '.cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'var(--primary-soft)' },
  '.cm-tpl-var': { backgroundColor: 'var(--primary-soft)', color: 'var(--primary-strong)', borderRadius: '3px' },
  '.cm-tpl-var-unknown': { backgroundColor: 'var(--warning-soft)', color: 'var(--warning-fg)', textDecoration: 'underline wavy var(--warning)' },
});

/** Syntax colours from the design tokens, so JSON and templates read well in both themes. */
const highlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.propertyName, color: 'var(--primary-strong)' },
    { tag: [tags.string, tags.special(tags.string)], color: 'var(--success-fg)' },
    { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--warning-fg)' },
    { tag: [tags.keyword, tags.operator, tags.controlKeyword], color: 'var(--cat-ai)' },
    { tag: [tags.variableName, tags.name], color: 'var(--fg)' },
    { tag: [tags.punctuation, tags.bracket, tags.separator], color: 'var(--fg-muted)' },
    { tag: tags.comment, color: 'var(--fg-subtle)', fontStyle: 'italic' },
    { tag: tags.invalid, color: 'var(--danger)' },
  ]),
);

const SETUP = { lineNumbers: false, foldGutter: false, highlightActiveLine: false, highlightActiveLineGutter: false, searchKeymap: false } as const;

export default function CodeEditor({ value, onChange, onBlur, label, describedBy, language, templateHints }: CodeEditorProps) {
  const hints = useRef(templateHints);
  useEffect(() => {
    hints.current = templateHints;
  });
  const [languageSupport, setLanguageSupport] = useState<Extension | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    loadLanguage(language, hints).then(
      (ext) => live && setLanguageSupport(ext),
      (e: unknown) => live && setLoadError(`Syntax colouring is unavailable: ${errorMessage(e)}`),
    );
    return () => {
      live = false;
    };
  }, [language]);

  const extensions = useMemo(
    () => [
      theme,
      highlight,
      EditorView.lineWrapping,
      // The editable element carries the field's name, so it is found by its label like any input.
      EditorView.contentAttributes.of({ 'aria-label': label, ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
      ...(language === 'liquid' ? [templateMarks(hints)] : []),
      ...(languageSupport ? [languageSupport] : []),
    ],
    [label, describedBy, language, languageSupport],
  );

  return (
    <>
      <CodeMirror value={value} onChange={onChange} onBlur={onBlur} extensions={extensions} basicSetup={SETUP} theme="none" minHeight="2.5em" maxHeight="18em" />
      {loadError && <p className="inspector-note">{loadError}</p>}
    </>
  );
}
