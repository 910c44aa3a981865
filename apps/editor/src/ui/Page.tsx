import type { ReactNode } from 'react';

/** A list page's frame: a title, a line saying what the page is for, actions on the right. */
export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="mb-5 flex flex-wrap items-end gap-3">
      <div className="mr-auto min-w-0">
        <h1 className="m-0 text-xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="m-0 mt-1 text-sm text-fg-muted">{description}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </header>
  );
}

/** The scrolling body of a page below the app's header, at a readable width. */
export function Page({ children, wide = false, label }: { children: ReactNode; wide?: boolean; label?: string }) {
  return (
    <main className="h-full overflow-auto" aria-label={label}>
      <div className={`mx-auto px-6 py-6 ${wide ? 'max-w-7xl' : 'max-w-5xl'}`}>{children}</div>
    </main>
  );
}

/** What an empty list says, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-xl border border-dashed border-border-strong px-6 py-10 text-center">
      <p className="m-0 font-semibold">{title}</p>
      {children && <div className="mt-2 text-sm text-fg-muted">{children}</div>}
    </div>
  );
}
