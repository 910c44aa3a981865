/** The header cell of the app's data tables (runs, datasets, experiments). */
export const th = 'px-3 py-2 text-left text-xs font-medium tracking-wide text-fg-muted uppercase whitespace-nowrap';

/**
 * Whether a click on a table row landed on a link or button inside it: a row that opens what it
 * lists on a click leaves those to do their own thing.
 */
export function clickedControl(event: { target: EventTarget }): boolean {
  return (event.target as HTMLElement).closest('a, button') !== null;
}
