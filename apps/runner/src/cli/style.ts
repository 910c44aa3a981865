import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colours only for a terminal that wants them (NO_COLOR, FORCE_COLOR respected). */
export function stylist(stream: NodeJS.WriteStream) {
  const enabled = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : Boolean(stream.isTTY) && !process.env.NO_COLOR;
  return (style: Style, text: string) => (enabled ? styleText(style, text) : text);
}
