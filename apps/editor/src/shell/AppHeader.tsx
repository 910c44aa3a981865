import { Command, Database, FlaskConical, Gauge, Inbox, KeyRound, Moon, PlayCircle, Settings, Sun, Workflow, type LucideIcon } from 'lucide-react';
import type { MouseEvent } from 'react';
import type { Route, Section } from '../routes';
import { hashOfRoute } from '../routes';
import { IconButton } from '../ui/IconButton';
import { useTheme } from '../ui/theme';
import { cx } from '../ui/cx';
import { Mark } from './Mark';

export const SECTIONS: ReadonlyArray<{ section: Section; label: string; icon: LucideIcon }> = [
  { section: 'flows', label: 'Flows', icon: Workflow },
  { section: 'runs', label: 'Runs', icon: PlayCircle },
  { section: 'inbox', label: 'Inbox', icon: Inbox },
  { section: 'prompts', label: 'Prompts', icon: FlaskConical },
  { section: 'datasets', label: 'Datasets', icon: Database },
  { section: 'experiments', label: 'Experiments', icon: Gauge },
  { section: 'keys', label: 'Keys', icon: KeyRound },
  { section: 'settings', label: 'Settings', icon: Settings },
];

/**
 * The bar above every page: the product's name and mark, the sections (real links, so a new tab
 * works; a plain click is followed in place), the inbox's badge, the command palette and the theme.
 */
export function AppHeader({ current, inboxCount, onGo, onPalette }: { current: Section; inboxCount: number | undefined; onGo: (route: Route) => void; onPalette: () => void }) {
  const { theme, setChoice } = useTheme();
  const follow = (event: MouseEvent<HTMLAnchorElement>, section: Section) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onGo({ page: section } as Route);
  };
  return (
    <header className="flex h-12 shrink-0 items-center gap-4 border-b border-border bg-surface px-4">
      <a href="#/flows" onClick={(e) => follow(e, 'flows')} className="flex items-center gap-2 text-fg no-underline hover:no-underline" aria-label="Trellis, home">
        <Mark />
        <span className="text-[15px] font-semibold tracking-tight">Trellis</span>
      </a>
      <nav aria-label="Sections" className="min-w-0">
        <ul role="list" className="m-0 flex items-center gap-0.5 p-0">
          {SECTIONS.map(({ section, label, icon: Icon }) => (
            <li key={section}>
              <a
                href={hashOfRoute({ page: section } as Route) || '#/flows'}
                aria-current={section === current ? 'page' : undefined}
                onClick={(e) => follow(e, section)}
                className={cx(
                  'flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium no-underline hover:no-underline',
                  section === current ? 'bg-primary-soft text-primary-strong' : 'text-fg-muted hover:bg-surface-3 hover:text-fg',
                )}
              >
                <Icon size={15} aria-hidden="true" />
                {label}
                {section === 'inbox' && inboxCount !== undefined && inboxCount > 0 && (
                  <span className="ml-0.5 min-w-5 rounded-full bg-waiting px-1.5 text-center text-[11px] leading-[18px] font-semibold text-white" aria-label={`${inboxCount} waiting for a person`}>
                    {inboxCount > 99 ? '99+' : inboxCount}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="ml-auto flex items-center gap-1">
        <button type="button" onClick={onPalette} className="btn-ghost gap-2 text-fg-muted" aria-label="Command palette" aria-keyshortcuts="Control+K">
          <Command size={15} aria-hidden="true" />
          <span className="hidden text-sm sm:inline">Search or jump to…</span>
          <kbd className="hidden sm:inline">Ctrl K</kbd>
        </button>
        <IconButton
          className="btn-ghost"
          label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          icon={theme === 'dark' ? Sun : Moon}
          onClick={() => setChoice(theme === 'dark' ? 'light' : 'dark')}
        />
      </div>
    </header>
  );
}
