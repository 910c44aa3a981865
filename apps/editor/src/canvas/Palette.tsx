import { memo, useMemo, useState } from 'react';
import { PanelLeftClose, Search } from 'lucide-react';
import { kinds } from '@trellis/nodes';
import { IconButton } from '../ui/IconButton';
import { CATEGORIES, categoryColor, kindIcon } from './kind-icons';

export const KIND_MIME = 'application/x-trellis-kind';

/**
 * The node kinds, grouped by category and searchable by name, description and category. Click
 * one to add it in view, or drag it onto the canvas to place it.
 */
export const Palette = memo(function Palette({ onAdd, onHide }: { onAdd: (type: string) => void; onHide: () => void }) {
  const [query, setQuery] = useState('');
  const all = useMemo(() => kinds.types().map((type) => kinds.get(type)!), []);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = all.filter((spec) => words.every((w) => `${spec.label} ${spec.type} ${spec.description ?? ''} ${spec.category ?? ''}`.toLowerCase().includes(w)));
  const groups = CATEGORIES.map((c) => ({ ...c, specs: shown.filter((s) => s.category === c.category) })).filter((g) => g.specs.length > 0);
  return (
    <div className="palette">
      <div className="palette-head">
        <span className="palette-title">Nodes</span>
        <IconButton label="Hide node palette" icon={PanelLeftClose} className="btn-ghost" tooltipSide="right" onClick={onHide} />
      </div>
      {/* Only the kinds are buttons inside this region: tests and screen readers count them. */}
      <section aria-label="Node kinds" className="palette-kinds">
        <label className="palette-search">
          <Search size={14} aria-hidden="true" />
          <input type="search" aria-label="Search node kinds" placeholder="Search nodes…" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        {groups.map((group) => (
          <div key={group.category} className="palette-group" role="group" aria-label={group.label}>
            <h3 style={{ color: categoryColor(group.category) }}>{group.label}</h3>
            <ul role="list">
              {group.specs.map((spec) => {
                const Icon = kindIcon(spec.type);
                return (
                  <li key={spec.type}>
                    <button
                      type="button"
                      className="palette-kind"
                      draggable
                      aria-label={`Add ${spec.label}`}
                      title={spec.description}
                      onClick={() => onAdd(spec.type)}
                      onDragStart={(event) => {
                        event.dataTransfer.setData(KIND_MIME, spec.type);
                        event.dataTransfer.effectAllowed = 'copy';
                      }}
                    >
                      <span className="palette-icon" style={{ color: categoryColor(spec.category), background: `color-mix(in srgb, ${categoryColor(spec.category)} 14%, transparent)` }}>
                        <Icon size={15} aria-hidden="true" />
                      </span>
                      <span className="palette-text">
                        <span className="kind-label">{spec.label}</span>
                        <span className="kind-description">{spec.description}</span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
        {shown.length === 0 && <p className="palette-empty">No node matches "{query}"</p>}
      </section>
    </div>
  );
});
