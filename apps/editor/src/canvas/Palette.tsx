import { memo, useMemo, useState } from 'react';
import { kinds } from '@trellis/nodes';

export const KIND_MIME = 'application/x-trellis-kind';

/**
 * The node kinds, searchable by name, description and category. Click one to add it beside the
 * flow, or drag it onto the canvas to place it.
 */
export const Palette = memo(function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const [query, setQuery] = useState('');
  const all = useMemo(() => kinds.types().map((type) => kinds.get(type)!), []);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = all.filter((spec) => words.every((w) => `${spec.label} ${spec.type} ${spec.description ?? ''} ${spec.category ?? ''}`.toLowerCase().includes(w)));
  return (
    <aside className="palette" aria-label="Node kinds">
      <input type="search" aria-label="Search node kinds" placeholder="Search kinds…" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ul>
        {shown.map((spec) => (
          <li key={spec.type}>
            <button
              type="button"
              draggable
              aria-label={`Add ${spec.label}`}
              title={spec.description}
              onClick={() => onAdd(spec.type)}
              onDragStart={(event) => {
                event.dataTransfer.setData(KIND_MIME, spec.type);
                event.dataTransfer.effectAllowed = 'copy';
              }}
            >
              <span className="kind-label">{spec.label}</span>
              <span className="kind-category">{spec.category}</span>
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="empty">No kind matches "{query}"</li>}
      </ul>
    </aside>
  );
});
