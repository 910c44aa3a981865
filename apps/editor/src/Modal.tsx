import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal <dialog>, open while mounted (every dialog of the editor is one): the browser keeps focus inside it and closes it on
 * Escape (reported through `onClose`). Focus starts on the element marked `data-initial-focus`
 * (else the first control) and goes back to where it was when the dialog goes away.
 */
export function Modal({ label, describedBy, className, onClose, children }: { label: string; describedBy?: string; className?: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[data-initial-focus]') ?? dialog.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`modal${className ? ` ${className}` : ''}`}
      aria-label={label}
      aria-describedby={describedBy}
      onCancel={(event) => {
        // Escape: the parent unmounts the dialog, rather than the browser closing it under React.
        event.preventDefault();
        onCloseRef.current();
      }}
    >
      {children}
    </dialog>
  );
}
