import { errorMessage } from '@trellis/schema';
/** The outcome of a copy, said so the person knows whether to press Ctrl+C themselves. */
export interface CopyOutcome {
  ok: boolean;
  message: string;
}

/**
 * Copies `text` with the async clipboard API. That API exists only on secure pages (https or
 * localhost) and may be refused, so on failure the text is selected in `field` and the person
 * is asked to copy it with the keyboard.
 */
export async function copyText(text: string, field: HTMLInputElement | HTMLTextAreaElement | null): Promise<CopyOutcome> {
  const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  let why = 'the browser offers no clipboard on this page (it needs https or localhost)';
  if (clipboard?.writeText) {
    try {
      await clipboard.writeText(text);
      return { ok: true, message: 'Copied' };
    } catch (error) {
      why = `the browser refused (${errorMessage(error)})`;
    }
  }
  field?.focus();
  field?.select();
  return { ok: false, message: `Could not copy: ${why}. The text is selected: press Ctrl+C (⌘C on a Mac).` };
}
