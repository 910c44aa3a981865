import { useRef, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { PanelRightClose } from 'lucide-react';
import { IconButton } from '../ui/IconButton';
import { cx } from '../ui/cx';

export const PANELS = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'run', label: 'Test run' },
  { id: 'tests', label: 'Tests' },
  { id: 'publish', label: 'Publish' },
  { id: 'history', label: 'History' },
] as const;
export type PanelId = (typeof PANELS)[number]['id'];

export const PANEL_WIDTH = { initial: 420, min: 320, max: 760 };
const clampWidth = (width: number) => Math.round(Math.min(PANEL_WIDTH.max, Math.max(PANEL_WIDTH.min, width)));

/**
 * The right-hand panel: a tab bar over the panels, each scrolling on its own. Every panel
 * stays mounted (a run keeps streaming while another is on show, or while the panel is hidden).
 * Its left edge drags to resize it (arrow keys too, on the focused edge).
 */
export function SidePanel({
  panel,
  onPanel,
  hidden,
  onHide,
  width,
  onWidth,
  children,
}: {
  panel: PanelId;
  onPanel: (id: PanelId) => void;
  hidden: boolean;
  onHide: () => void;
  width: number;
  onWidth: (width: number) => void;
  children: Record<PanelId, ReactNode>;
}) {
  const tabs = useRef<Record<string, HTMLButtonElement | null>>({});
  // Arrow keys move between tabs, as a tab list's keyboard pattern asks.
  const onTabKey = (event: KeyboardEvent) => {
    const at = PANELS.findIndex((p) => p.id === panel);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = PANELS[(at + step + PANELS.length) % PANELS.length]!.id;
    onPanel(next);
    tabs.current[next]?.focus({ preventScroll: true });
  };
  const startResize = (event: PointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    const startX = event.clientX;
    const startWidth = width;
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const move = (e: globalThis.PointerEvent) => onWidth(clampWidth(startWidth + startX - e.clientX));
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  };
  return (
    <aside className={cx('side-panel', hidden && 'is-hidden')} style={{ width }} hidden={hidden} aria-label="Side panel">
      <div
        className="side-panel-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize side panel"
        aria-valuenow={width}
        aria-valuemin={PANEL_WIDTH.min}
        aria-valuemax={PANEL_WIDTH.max}
        tabIndex={0}
        onPointerDown={startResize}
        onKeyDown={(e) => {
          if (e.key === 'ArrowLeft') onWidth(clampWidth(width + 24));
          if (e.key === 'ArrowRight') onWidth(clampWidth(width - 24));
        }}
      />
      <div className="side-panel-tabs">
        <div role="tablist" aria-label="Panels" onKeyDown={onTabKey}>
          {PANELS.map((p) => (
            <button
              key={p.id}
              ref={(el) => {
                tabs.current[p.id] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${p.id}`}
              aria-controls={`panel-${p.id}`}
              aria-selected={panel === p.id}
              tabIndex={panel === p.id ? 0 : -1}
              onClick={() => onPanel(p.id)}
            >
              {p.label}
            </button>
          ))}
        </div>
        <IconButton label="Hide side panel" icon={PanelRightClose} className="btn-ghost" tooltipSide="left" onClick={onHide} />
      </div>
      {PANELS.map((p) => (
        <div key={p.id} role="tabpanel" id={`panel-${p.id}`} aria-labelledby={`tab-${p.id}`} hidden={panel !== p.id} className="side-panel-body">
          {children[p.id]}
        </div>
      ))}
    </aside>
  );
}
