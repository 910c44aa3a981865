import { Component, lazy, Suspense, type ReactNode } from 'react';
import type { CodeEditorProps } from './types';
import { errorMessage } from '@trellis/schema';

/*
 * CodeMirror and its languages are a large share of the editor's JavaScript and only the
 * inspector's code fields need them: they load the first time such a field shows. Until then,
 * and if loading fails, a plain textarea with the same name edits the same draft.
 */
const CodeEditor = lazy(() => import('./CodeEditor'));

function PlainEditor({ value, onChange, onBlur, label, describedBy, busy }: CodeEditorProps & { busy: boolean }) {
  return (
    <textarea
      className="inspector-code-fallback"
      aria-label={label}
      aria-describedby={describedBy}
      aria-busy={busy || undefined}
      value={value}
      rows={Math.min(12, Math.max(3, value.split('\n').length))}
      spellCheck={false}
      onChange={(e) => onChange(e.target.value)}
      onBlur={onBlur}
    />
  );
}

/** A failed chunk load (offline, a deploy replaced the files) leaves the plain editor, and says why. */
class LoadBoundary extends Component<{ fallback: (error: string) => ReactNode; children: ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error: errorMessage(error) };
  }
  override render() {
    return this.state.error === undefined ? this.props.children : this.props.fallback(this.state.error);
  }
}

export function LazyCodeEditor(props: CodeEditorProps) {
  return (
    <LoadBoundary
      fallback={(error) => (
        <>
          <PlainEditor {...props} busy={false} />
          <p className="inspector-note">The code editor could not load ({error}); this plain field works the same. Reload to try again.</p>
        </>
      )}
    >
      <Suspense fallback={<PlainEditor {...props} busy />}>
        <div className="inspector-code" data-language={props.language}>
          <CodeEditor {...props} />
        </div>
      </Suspense>
    </LoadBoundary>
  );
}
