import type { Flow } from '@trellis/schema';

/** The file an exported flow is saved as, the name `trellis` and the examples use too. */
export const exportFileName = (id: string) => `${id}.flow.json`;

/** The flow as a person reads and diffs it: two-space indent, a final newline. */
export const exportText = (doc: Flow) => `${JSON.stringify(doc, null, 2)}\n`;

/** Has the browser save `text` as a file: a Blob behind a link with `download`, clicked once. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; freed a little later to be safe on slow disks.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
