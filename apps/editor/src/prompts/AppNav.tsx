import type { MouseEvent } from 'react';
import type { Route } from './routes';

const PAGES = [
  { page: 'flows', label: 'Flows', href: '#/flows' },
  { page: 'prompts', label: 'Prompts', href: '#/prompts' },
] as const;

/** "Flows | Prompts" above the list pages: real links (a new tab works), followed in place by a plain click. */
export function AppNav({ current, onGo }: { current: 'flows' | 'prompts'; onGo: (route: Route) => void }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>, page: 'flows' | 'prompts') => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (page !== current) onGo({ page });
  };
  return (
    <nav className="app-nav" aria-label="Sections">
      {PAGES.map(({ page, label, href }, i) => (
        <span key={page}>
          {i > 0 && <span aria-hidden="true"> | </span>}
          <a href={href} aria-current={page === current ? 'page' : undefined} onClick={(e) => follow(e, page)}>
            {label}
          </a>
        </span>
      ))}
    </nav>
  );
}
