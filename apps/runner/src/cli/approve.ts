import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Answer, PendingWait } from '../engine/engine.js';
import { parseJson } from './files.js';
import { askQuestion } from './question.js';
import { describeDeadline } from './trace.js';

export interface AskOptions {
  /** How the trace names the node (its name, or its id). */
  label?: string;
  /** Where $VISUAL and $EDITOR are read from (the process's environment unless given). */
  env?: NodeJS.ProcessEnv;
  /** Now, for the deadline's "in 5 min". */
  now?: () => number;
}

/** What editing the payload came to: a new payload, the old one kept, or no edit after all. */
type Edited = { payload: unknown } | 'unchanged' | 'cancelled';

/**
 * Asks a person on the terminal: a question is answered through its form (see askQuestion);
 * an approval is approved, rejected, or its payload edited (then approved). The
 * payload is edited in $VISUAL or $EDITOR when one is set, else typed as lines ended by an
 * empty line. Answers keep being asked for until one makes sense.
 */
export async function askOnTerminal(
  wait: PendingWait,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  by: string,
  options: AskOptions = {},
): Promise<Answer> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const read = async (): Promise<string> => {
    const next = await lines.next();
    if (next.done) throw new Error(`the terminal closed before the ${wait.kind === 'question' ? 'question' : 'approval'} was answered`);
    return String(next.value);
  };
  const ask = async (question: string): Promise<string> => {
    io.output.write(question);
    return (await read()).trim();
  };
  const say = (text: string) => io.output.write(`  ${text}\n`);
  const env = options.env ?? process.env;
  const editor = env.VISUAL?.trim() || env.EDITOR?.trim();

  /** The payload typed on the terminal: JSON over lines, ended by an empty line. */
  const typePayload = async (): Promise<Edited> => {
    for (;;) {
      io.output.write('new payload as JSON, ended by an empty line (an empty line alone cancels the edit):\n');
      const typed: string[] = [];
      for (let line = await read(); line.trim() !== ''; line = await read()) typed.push(line);
      if (!typed.length) return 'cancelled';
      try {
        return { payload: parseJson(typed.join('\n'), 'the payload') };
      } catch (error) {
        say(`${(error as Error).message}; type it again`);
      }
    }
  };

  /** The payload edited in the person's editor, on a temporary file holding it pretty-printed. */
  const editPayload = async (command: string): Promise<Edited> => {
    const dir = await mkdtemp(join(tmpdir(), 'trellis-payload-'));
    const file = join(dir, `${wait.waitId.replace(/[^\w.-]/g, '_')}.json`);
    const original = `${JSON.stringify(wait.payload ?? null, null, 2)}\n`;
    let text = original;
    try {
      for (;;) {
        await writeFile(file, text);
        rl.pause(); // the editor has the terminal meanwhile
        const outcome = await runEditor(command, file);
        rl.resume();
        if (outcome) {
          say(`${outcome}; the payload is unchanged`);
          return 'cancelled';
        }
        text = await readFile(file, 'utf8');
        if (text.trim() === '') return 'cancelled';
        if (text === original) return 'unchanged';
        try {
          const payload = parseJson(text, 'the edited payload');
          return JSON.stringify(payload) === JSON.stringify(wait.payload ?? null) ? 'unchanged' : { payload };
        } catch (error) {
          say((error as Error).message);
          const again = (await ask('open the editor again to fix it? [Y/n] ')).toLowerCase();
          if (again === 'n' || again === 'no') return 'cancelled';
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  try {
    const where = options.label ?? wait.nodeId;
    const heading = { approval: 'Approval needed', tool_approval: 'Tool call needs approval', question: 'Question' }[wait.kind];
    io.output.write(`\n${heading} at "${where}":\n  ${wait.message.replace(/\n/g, '\n  ')}\n`);
    if (wait.kind === 'question') {
      if (wait.deadline) say(describeDeadline(wait.deadline, options.now?.() ?? Date.now()));
      return await askQuestion(wait, { read, write: (text) => io.output.write(text) }, by);
    }
    if (wait.payload !== undefined) io.output.write(`  payload: ${JSON.stringify(wait.payload, null, 2).replace(/\n/g, '\n  ')}\n`);
    if (wait.deadline) say(describeDeadline(wait.deadline, options.now?.() ?? Date.now()));
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
        const edited = editor ? await editPayload(editor) : await typePayload();
        if (edited === 'cancelled') {
          say('edit cancelled');
          continue;
        }
        if (edited === 'unchanged') say('payload unchanged');
        const comment = await ask('comment (optional): ');
        return { waitId: wait.waitId, approved: true, by, ...(edited === 'unchanged' ? {} : { payload: edited.payload }), ...(comment ? { comment } : {}) };
      }
      say('please answer a, r or e');
    }
  } finally {
    rl.close();
  }
}

/**
 * Runs the editor command on a file, as git does: through the shell, so `code --wait` or a
 * quoted path works, with the file passed as an argument the shell does not re-read.
 * Resolves undefined when it exited cleanly, else why not.
 */
function runEditor(command: string, file: string): Promise<string | undefined> {
  const child =
    process.platform === 'win32'
      ? spawn(`${command} "${file}"`, { shell: true, stdio: 'inherit' })
      : spawn('/bin/sh', ['-c', `${command} "$@"`, command, file], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', (error) => resolve(`could not start the editor "${command}": ${error.message}`));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(undefined);
      else resolve(`the editor "${command}" ${signal ? `was stopped by ${signal}` : code === 127 ? 'was not found (exit code 127)' : `exited with code ${code}`}`);
    });
  });
}
