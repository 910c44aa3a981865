import { useRef, useState } from 'react';
import { Check, Copy, TriangleAlert } from 'lucide-react';
import { copyText } from '../publish/clipboard';

/** A key's secret on show this once: read-only, selectable, with a copy button and a plain warning. */
export function SecretOnce({ secret, name }: { secret: string; name: string }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<{ ok: boolean; message: string } | undefined>();
  return (
    <div className="flex flex-col gap-2 rounded-lg border border-success bg-success-soft p-3">
      <label htmlFor="fresh-secret" className="text-sm font-medium text-success-fg">
        The secret of “{name}”
      </label>
      <div className="flex gap-2">
        <input id="fresh-secret" ref={field} readOnly value={secret} spellCheck={false} onFocus={(e) => e.target.select()} className="min-w-0 flex-1 font-mono text-xs" aria-describedby="fresh-secret-warning" />
        <button type="button" className="btn-primary" onClick={() => void copyText(secret, field.current).then(setCopied)}>
          {copied?.ok ? <Check size={16} aria-hidden="true" /> : <Copy size={16} aria-hidden="true" />}
          {copied?.ok ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p id="fresh-secret-warning" className="m-0 flex items-start gap-1.5 text-sm text-fg">
        <TriangleAlert size={16} className="mt-0.5 shrink-0 text-warning" aria-hidden="true" />
        <span>
          <strong>Copy it now: you will not see it again.</strong> The runner keeps only its hash; if it is lost, revoke this key and create another.
        </span>
      </p>
      <span role="status" className={copied && !copied.ok ? 'text-sm text-danger-fg' : 'sr-only'}>
        {copied?.message}
      </span>
    </div>
  );
}
