import { ArrowLeft, Command, Keyboard, Maximize, Network, Redo2, Save, Settings2, Undo2 } from 'lucide-react';
import { useStore } from 'zustand';
import type { FlowStore } from '../store/flow-store';
import type { CommandId } from '../canvas/shortcuts';
import { SHORTCUTS } from '../canvas/shortcuts';
import { IconButton } from '../ui/IconButton';
import { Tooltip } from '../ui/Tooltip';
import { cx } from '../ui/cx';
import { FlowName } from './FlowName';

const keysOf = (command: CommandId) => SHORTCUTS.find((s) => s.command === command)?.keys[0];

/**
 * The bar above the canvas: where the flow sits (Flows / its name, renamed in place), whether it
 * is saved, and the editor's actions as icon buttons with their shortcuts, Save the one call to action.
 */
export function EditorToolbar({ store, onClose, run, onSettings }: { store: FlowStore; onClose: () => void; run: (command: CommandId) => void; onSettings: () => void }) {
  const name = useStore(store, (s) => s.document.name);
  const dirty = useStore(store, (s) => s.dirty);
  const version = useStore(store, (s) => s.savedVersion);
  // The undo history lives in zundo's temporal store: the buttons follow it, not a guess.
  const canUndo = useStore(store.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (t) => t.futureStates.length > 0);
  return (
    <header className="editor-toolbar">
      <nav aria-label="Breadcrumb" className="editor-crumbs">
        <Tooltip label="Back to flows">
          <button type="button" className="btn-ghost btn-sm editor-back" aria-label="Back to flows" onClick={onClose}>
            <ArrowLeft size={15} aria-hidden="true" />
            <span aria-hidden="true">Flows</span>
          </button>
        </Tooltip>
        <span className="editor-crumb-sep" aria-hidden="true">
          /
        </span>
        <FlowName name={name} onRename={(next) => store.getState().renameFlow(next)} />
      </nav>
      <span className={cx('editor-saved', dirty && 'is-dirty')} aria-live="polite" title={version !== undefined ? `Last saved as version ${version}` : undefined}>
        <span className="editor-saved-dot" aria-hidden="true" />
        <span>{dirty ? 'Unsaved changes' : 'Saved'}</span>
      </span>
      <div className="editor-actions">
        <div className="editor-group" role="group" aria-label="History">
          <IconButton label="Undo" icon={Undo2} shortcut={keysOf('undo')} className="btn-ghost" disabled={!canUndo} onClick={() => run('undo')} />
          <IconButton label="Redo" icon={Redo2} shortcut={keysOf('redo')} className="btn-ghost" disabled={!canRedo} onClick={() => run('redo')} />
        </div>
        <div className="editor-group" role="group" aria-label="View">
          <IconButton label="Auto-layout" icon={Network} shortcut={keysOf('layout')} className="btn-ghost" onClick={() => run('layout')} />
          <IconButton label="Fit view" icon={Maximize} shortcut={keysOf('fitView')} className="btn-ghost" onClick={() => run('fitView')} />
        </div>
        <div className="editor-group" role="group" aria-label="Flow">
          <IconButton label="Flow settings" icon={Settings2} className="btn-ghost" onClick={onSettings} />
        </div>
        <div className="editor-group" role="group" aria-label="Help">
          <IconButton label="Commands" icon={Command} shortcut={keysOf('palette')} className="btn-ghost" onClick={() => run('palette')} />
          <IconButton label="Keyboard shortcuts" icon={Keyboard} shortcut={keysOf('help')} className="btn-ghost" onClick={() => run('help')} />
        </div>
        <IconButton label="Save" text="Save" icon={Save} shortcut={keysOf('save')} className="btn-primary btn-sm editor-save" disabled={!dirty} onClick={() => run('save')} />
      </div>
    </header>
  );
}
