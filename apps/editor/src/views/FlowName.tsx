import { useState } from 'react';
import { Pencil } from 'lucide-react';
import { IconButton } from '../ui/IconButton';

/** The flow's name as the page heading, renamed in place (double-click or the pencil; Enter keeps, Escape cancels). */
export function FlowName({ name, onRename }: { name: string; onRename: (name: string) => void }) {
  const [draft, setDraft] = useState<string | undefined>();
  if (draft === undefined) {
    return (
      <div className="flow-name">
        <h1 title={name} onDoubleClick={() => setDraft(name)}>
          {name}
        </h1>
        <IconButton label="Rename flow" icon={Pencil} className="btn-ghost btn-sm flow-rename" onClick={() => setDraft(name)} />
      </div>
    );
  }
  const done = (keep: boolean) => {
    const next = draft.trim();
    if (keep && next && next !== name) onRename(next);
    setDraft(undefined);
  };
  return (
    <div className="flow-name">
      <input
        aria-label="Flow name"
        value={draft}
        maxLength={200}
        autoFocus
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => done(true)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') done(true);
          if (e.key === 'Escape') done(false);
        }}
      />
    </div>
  );
}
