import { Tooltip as T } from 'radix-ui';
import type { ReactElement, ReactNode } from 'react';

/** One provider for the app: tooltips open after a short hover, at once when moving between them. */
export function TooltipProvider({ children }: { children: ReactNode }) {
  return (
    <T.Provider delayDuration={350} skipDelayDuration={200}>
      {children}
    </T.Provider>
  );
}

/**
 * A label shown on hover and on keyboard focus (Radix Tooltip). The child keeps its own
 * accessible name (an icon button's `aria-label`): the tooltip repeats it for sighted people.
 */
export function Tooltip({ label, shortcut, side = 'bottom', children }: { label: ReactNode; shortcut?: string; side?: 'top' | 'bottom' | 'left' | 'right'; children: ReactElement }) {
  return (
    <T.Root>
      <T.Trigger asChild>{children}</T.Trigger>
      <T.Portal>
        <T.Content
          side={side}
          sideOffset={6}
          className="z-50 flex items-center gap-2 rounded-md bg-fg px-2 py-1 text-xs font-medium text-bg shadow-lg select-none"
        >
          {label}
          {shortcut && <kbd className="rounded border-0 bg-bg/15 px-1 text-[0.7rem] text-bg">{shortcut}</kbd>}
        </T.Content>
      </T.Portal>
    </T.Root>
  );
}
