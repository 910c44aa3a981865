import { Copy } from 'lucide-react';
import { pretty } from '../run/describe';
import { IconButton } from '../ui/IconButton';
import { toast } from '../ui/toast';

/** A value as JSON, collapsible, with a copy button. */
export function JsonBlock({ title, value, open = true }: { title: string; value: unknown; open?: boolean }) {
  const text = value === undefined ? '' : pretty(value);
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => toast.success(`${title} copied`),
      () => toast.error(`Could not copy the ${title.toLowerCase()}: the browser refused.`),
    );
  return (
    <details open={open} className="card group overflow-hidden">
      <summary className="flex cursor-pointer items-center gap-2 px-4 py-2.5 text-sm font-semibold select-none">
        <span className="mr-auto">{title}</span>
        {value !== undefined && <IconButton icon={Copy} label={`Copy the ${title.toLowerCase()}`} className="btn-ghost btn-sm" onClick={(e) => (e.preventDefault(), void copy())} />}
      </summary>
      {value === undefined ? (
        <p className="m-0 border-t border-border px-4 py-3 text-sm text-fg-muted">None yet.</p>
      ) : (
        <pre aria-label={title} className="m-0 max-h-80 overflow-auto border-t border-border bg-surface-2 px-4 py-3 text-xs leading-relaxed whitespace-pre-wrap break-words">
          {text}
        </pre>
      )}
    </details>
  );
}
