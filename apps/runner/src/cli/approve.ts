import { createInterface } from 'node:readline/promises';
import type { Answer, PendingWait } from '../engine/engine.js';

/**
 * Asks a person on the terminal: approve, reject, or edit the payload (then approve).
 * Answers keep being asked for until one makes sense.
 */
export async function askOnTerminal(
  wait: PendingWait,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  by: string,
): Promise<Answer> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string> => {
    io.output.write(question);
    const next = await lines.next();
    if (next.done) throw new Error('the terminal closed before the approval was answered');
    return String(next.value).trim();
  };
  try {
    io.output.write(`\n${wait.kind === 'approval' ? 'Approval needed' : 'Tool call needs approval'} at "${wait.nodeId}":\n  ${wait.message}\n`);
    if (wait.payload !== undefined) io.output.write(`  payload: ${JSON.stringify(wait.payload, null, 2).replace(/\n/g, '\n  ')}\n`);
    for (;;) {
      const choice = (await ask('[a]pprove, [r]eject, or [e]dit the payload and approve? ')).toLowerCase();
      if (choice === 'a' || choice === 'approve' || choice === 'y' || choice === 'yes') {
        const comment = await ask('comment (optional): ');
        return { waitId: wait.waitId, approved: true, by, ...(comment ? { comment } : {}) };
      }
      if (choice === 'r' || choice === 'reject' || choice === 'n' || choice === 'no') {
        const comment = await ask('reason (optional): ');
        return { waitId: wait.waitId, approved: false, by, ...(comment ? { comment } : {}) };
      }
      if (choice === 'e' || choice === 'edit') {
        const text = await ask('new payload, as JSON on one line: ');
        try {
          const payload: unknown = JSON.parse(text);
          const comment = await ask('comment (optional): ');
          return { waitId: wait.waitId, approved: true, by, payload, ...(comment ? { comment } : {}) };
        } catch (error) {
          io.output.write(`  that is not JSON (${(error as Error).message}); try again\n`);
          continue;
        }
      }
      io.output.write('  please answer a, r or e\n');
    }
  } finally {
    rl.close();
  }
}
