import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colours only for a terminal that wants them (NO_COLOR, FORCE_COLOR respected). */
export function stylist(stream: NodeJS.WriteStream) {
  const enabled = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(stream.isTTY) && !process.env.NO_COLOR;
  return (style: Style, text: string) => (enabled ? styleText(style, text) : text);
}

/**
 * A progress bar on a terminal (`[#####-----] 12/40 cases`), rewritten in place at most ten
 * times a second and cleared by `done()`; nothing elsewhere (a CI log keeps only the report).
 */
export function progressBar(stream: NodeJS.WriteStream, total: number, unit: string) {
  const show = Boolean(stream.isTTY) && total > 1;
  let last = 0;
  return {
    /** `count` of `total` are done. */
    at(count: number) {
      const now = Date.now();
      if (!show || (count < total && now - last < 100)) return;
      last = now;
      const width = 30;
      const filled = Math.round((count / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${unit}`);
    },
    done() {
      if (show) stream.write('\r\u001b[2K');
    },
  };
}
