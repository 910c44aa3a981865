import { Writable } from 'node:stream';
import { stylist } from '../cli/style.js';

/** pino's numeric levels, as a person reads them. */
const LEVELS: Record<number, { name: string; style: Parameters<ReturnType<typeof stylist>>[0] }> = {
  10: { name: 'TRACE', style: 'gray' },
  20: { name: 'DEBUG', style: 'gray' },
  30: { name: 'INFO ', style: 'green' },
  40: { name: 'WARN ', style: 'yellow' },
  50: { name: 'ERROR', style: 'red' },
  60: { name: 'FATAL', style: ['bold', 'red'] },
};

/** A field's value on one line: strings bare unless they hold spaces, the rest as JSON. */
function show(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * One pino JSON line as a person reads it on a terminal:
 * `12:14:23 INFO  request GET /api/flows 200 3.1 ms` or `… msg key=value …`; an error's stack
 * follows on its own lines. A line that is not JSON is passed through.
 */
export function prettyLine(line: string, paint: ReturnType<typeof stylist>): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, err, ...fields } = entry;
  const lvl = LEVELS[Number(level)] ?? { name: String(level).padEnd(5), style: 'white' as const };
  const clock = typeof time === 'string' ? time.slice(11, 19) : typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
  let head = `${paint('gray', clock)} ${paint(lvl.style, lvl.name)} `;
  if (msg === 'request' && typeof fields.method === 'string') {
    // A request reads as a request: method, path, status, time, and what else it carries.
    const { method, path, status, ms, ...rest } = fields;
    const bad = Number(status) >= 400;
    head += `${String(method)} ${String(path)} ${paint(bad ? 'red' : 'cyan', String(status))} ${paint('gray', `${String(ms)} ms`)}`;
    return head + tail(rest, paint) + '\n';
  }
  head += String(msg ?? '');
  const error = err as { message?: string; stack?: string; type?: string } | undefined;
  const errorText = error ? `\n  ${paint('red', (error.stack ?? error.message ?? JSON.stringify(error)).split('\n').join('\n  '))}` : '';
  return head + tail(fields, paint) + errorText + '\n';
}

function tail(fields: Record<string, unknown>, paint: ReturnType<typeof stylist>): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${paint('gray', `${k}=`)}${show(v)}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** A stream pino writes its JSON lines to, that writes them to `out` as pretty lines. */
export function prettyStream(out: NodeJS.WriteStream): Writable {
  const paint = stylist(out);
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const text = lines.filter(Boolean).map((l) => prettyLine(l, paint)).join('');
      if (text) out.write(text);
      done();
    },
  });
}
