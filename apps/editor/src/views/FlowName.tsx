import { useState } from 'react';

/** The flow's name as the page heading, renamed in place (Enter keeps, Escape cancels). */
export function FlowName({ name, onRename }: { name: string; onRename: (name: string) => void }) {
  const [draft, setDraft] = useState<string | undefined>();
  if (draft === undefined) {
    return (
      <div className="flow-name">
        <h1>{name}</h1>
        <button type="button" className="quiet" onClick={() => setDraft(name)}>
          Rename flow
        </button>
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
