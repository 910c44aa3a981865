import type { LucideIcon } from 'lucide-react';
import { forwardRef, type ButtonHTMLAttributes } from 'react';
import { Tooltip } from './Tooltip';
import { cx } from './cx';

type Props = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'aria-label' | 'children'> & {
  /** The accessible name, also shown as the tooltip. */
  label: string;
  icon: LucideIcon;
  /** Shown in the tooltip, e.g. "Ctrl+Z". */
  shortcut?: string;
  /** Text beside the icon; without it the button is an icon alone. */
  text?: string;
  tooltipSide?: 'top' | 'bottom' | 'left' | 'right';
};

/** A button drawn as an icon (with optional text), named for screen readers and tests, with a tooltip. */
export const IconButton = forwardRef<HTMLButtonElement, Props>(function IconButton({ label, icon: Icon, shortcut, text, tooltipSide, className, ...rest }, ref) {
  return (
    <Tooltip label={label} shortcut={shortcut} side={tooltipSide}>
      <button ref={ref} type="button" aria-label={text ? undefined : label} className={cx(text ? undefined : 'btn-icon', className)} {...rest}>
        <Icon size={16} strokeWidth={2} aria-hidden="true" />
        {text && <span>{text}</span>}
      </button>
    </Tooltip>
  );
});
