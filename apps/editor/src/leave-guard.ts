/**
 * Leaving a flow with unsaved changes asks first. The open editor registers how to ask; the
 * app's router calls `requestLeave` before any navigation away (the Back button, the browser's
 * back, a typed URL), and the page's `beforeunload` covers reloads and closing the tab.
 */
type Ask = (leave: () => void) => void;

let ask: Ask | undefined;

/** Registers the open editor's way of asking; returns the function that unregisters it. */
export function guardLeaving(askFirst: Ask): () => void {
  ask = askFirst;
  return () => {
    if (ask === askFirst) ask = undefined;
  };
}

/** Leaves at once when nothing is unsaved, else once the person agrees. */
export function requestLeave(leave: () => void): void {
  if (ask) ask(leave);
  else leave();
}
