import { useId, type ReactNode } from 'react';

/** One part of the Settings page: a titled card with a line saying what it is for. */
export function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="card p-5">
      <h2 id={id} className="m-0 text-base font-semibold">
        {title}
      </h2>
      {description && <div className="m-0 mt-1 text-sm text-fg-muted">{description}</div>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

/** A failure in words, in place (the runner's own sentence). */
export function ErrorLine({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="m-0 rounded-md border border-danger-border bg-danger-soft px-3 py-2 text-sm text-danger-fg">
      {children}
    </p>
  );
}
