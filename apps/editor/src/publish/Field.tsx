import { useId, type ReactNode } from 'react';

/**
 * A label beside its control rather than around it: a wrapping label would put the control's
 * value (a select's option, an input's text) into the accessible name.
 */
export function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="publish-field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
