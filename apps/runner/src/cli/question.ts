import { schemaProblems } from '@trellis/nodes/server';
import type { Answer, PendingWait } from '../engine/engine.js';
import { parseJson } from './files.js';

/** How the question's form talks to the person: one line in, text out. */
export interface FormIo {
  read(): Promise<string>;
  write(text: string): void;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One field of a simple form: a property of an object schema that takes a single typed line. */
interface Field {
  name: string;
  label: string;
  schema: Json;
  type: 'string' | 'number' | 'integer' | 'boolean';
  required: boolean;
  options?: readonly unknown[];
  default?: unknown;
}

/**
 * The fields of a form asked one by one: an object whose properties are all strings, numbers,
 * whole numbers, booleans or lists of options. Undefined for any other schema (typed as JSON).
 */
export function simpleFields(schema: Json): Field[] | undefined {
  if (schema.type !== 'object' || !isObject(schema.properties)) return undefined;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const defaults = isObject(schema.default) ? schema.default : {};
  const fields: Field[] = [];
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (!isObject(prop)) return undefined;
    const options = Array.isArray(prop.enum) ? prop.enum : undefined;
    const type = typeof prop.type === 'string' ? prop.type : options?.every((o) => typeof o === 'string') ? 'string' : undefined;
    if (type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') return undefined;
    const fallback = 'default' in prop ? prop.default : defaults[name];
    fields.push({
      name,
      label: typeof prop.title === 'string' && prop.title.trim() ? prop.title.trim() : name,
      schema: prop,
      type,
      required: required.has(name),
      ...(options ? { options } : {}),
      ...(fallback === undefined ? {} : { default: fallback }),
    });
  }
  return fields.length ? fields : undefined;
}

/** A typed line as the field's value: a number for a number field, true/false for yes/no, an option by its value or number. */
export function coerceField(field: Field, text: string): { value: unknown } | { error: string } {
  if (field.options) {
    const index = /^\d+$/.test(text) ? Number(text) - 1 : -1;
    const chosen = field.options.find((o) => String(o) === text) ?? (index >= 0 && index < field.options.length ? field.options[index] : undefined);
    return chosen === undefined ? { error: `choose one of ${field.options.map((o, i) => `${i + 1}) ${String(o)}`).join(', ')}` } : { value: chosen };
  }
  switch (field.type) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { error: 'must be a number' };
      if (field.type === 'integer' && !Number.isInteger(n)) return { error: 'must be a whole number' };
      return { value: n };
    }
    case 'boolean': {
      const answer = text.toLowerCase();
      if (['y', 'yes', 'true'].includes(answer)) return { value: true };
      if (['n', 'no', 'false'].includes(answer)) return { value: false };
      return { error: 'answer y or n' };
    }
    default:
      return { value: text };
  }
}

const describe = (problems: { path: string; message: string }[], root: string) => problems.map((p) => `${p.path ? `${root}.${p.path}` : root}: ${p.message}`).join('; ');

/**
 * Asks a question on the terminal and reads an answer that matches its form: field by field for
 * an object of simple fields (a number field takes a number, a yes/no field y or n, Enter takes a
 * field's default or leaves an optional one out), otherwise as JSON over lines ended by an empty
 * line. Anything the form refuses is said, and asked again.
 */
export async function askQuestion(wait: PendingWait, io: FormIo, by: string): Promise<Answer> {
  const schema = wait.schema ?? {};
  const say = (text: string) => io.write(`  ${text}\n`);
  const fields = simpleFields(schema);
  for (;;) {
    let answer: unknown;
    if (fields) {
      const filled: Json = {};
      for (const field of fields) {
        const value = await askField(field, io, say);
        if (value !== undefined) filled[field.name] = value;
      }
      answer = filled;
    } else {
      answer = await typeJson(schema, io, say);
    }
    const problems = schemaProblems(answer, schema, 'the form');
    if (!problems.length) return { waitId: wait.waitId, approved: true, answer, by };
    say(`${describe(problems, 'answer')}; answer again`);
  }
}

async function askField(field: Field, io: FormIo, say: (text: string) => void): Promise<unknown> {
  const hint = field.options ? field.options.map((o, i) => `${i + 1}) ${String(o)}`).join('  ') : field.type === 'boolean' ? 'y/n' : field.type === 'string' ? '' : field.type === 'integer' ? 'whole number' : 'number';
  const description = typeof field.schema.description === 'string' ? field.schema.description : '';
  if (description) say(description);
  const prompt = `${field.label}${hint ? ` (${hint})` : ''}${field.required ? '' : ' (optional)'}${field.default === undefined ? '' : ` [${typeof field.default === 'string' ? field.default : JSON.stringify(field.default)}]`}: `;
  for (;;) {
    io.write(prompt);
    const text = (await io.read()).trim();
    if (text === '') {
      if (field.default !== undefined) return field.default;
      if (!field.required) return undefined;
      say(`${field.label} is required`);
      continue;
    }
    const coerced = coerceField(field, text);
    if ('error' in coerced) {
      say(`${field.label}: ${coerced.error}`);
      continue;
    }
    const problems = schemaProblems(coerced.value, field.schema, 'the form');
    if (problems.length) {
      say(`${field.label}: ${problems.map((p) => p.message).join('; ')}`);
      continue;
    }
    return coerced.value;
  }
}

async function typeJson(schema: Json, io: FormIo, say: (text: string) => void): Promise<unknown> {
  io.write(`  the answer's form: ${JSON.stringify(schema)}\n`);
  for (;;) {
    io.write(`answer as JSON, ended by an empty line${'default' in schema ? ' (an empty line alone takes the default)' : ''}:\n`);
    const typed: string[] = [];
    for (let line = await io.read(); line.trim() !== ''; line = await io.read()) typed.push(line);
    if (!typed.length) {
      if ('default' in schema) return schema.default;
      say('the answer is required');
      continue;
    }
    try {
      return parseJson(typed.join('\n'), 'the answer');
    } catch (error) {
      say(`${(error as Error).message}; type it again`);
    }
  }
}

/** The agent that asked a question from inside its loop (its `ask_a_person` tool), as the wait's payload names it. */
export function askingAgent(wait: Pick<PendingWait, 'payload'>): string | undefined {
  const agent = (wait.payload as { agent?: unknown } | undefined)?.agent;
  return typeof agent === 'string' ? agent : undefined;
}

/**
 * The answer a run that cannot ask anyone gives a question: the one scripted for its wait, for
 * the agent that asked it or for its node (a key that names an agent answers each of its
 * questions), else the form's default (its own `default`, or the defaults of its fields) when that
 * is a valid answer. Undefined when there is none; throws when a scripted one is not valid.
 */
export function unattendedAnswer(wait: PendingWait, scripted: Json | undefined, by: string, options: { takeDefault: boolean } = { takeDefault: true }): Answer | undefined {
  const schema = wait.schema ?? {};
  // The most precise key first: the wait, then the agent that asked (an agent's ask_a_person, a worker's too), then the step.
  const key = [wait.waitId, askingAgent(wait), wait.nodeId].find((k) => k !== undefined && scripted !== undefined && Object.hasOwn(scripted, k));
  if (key !== undefined) {
    const answer = scripted![key];
    const problems = schemaProblems(answer, schema, 'the form');
    if (problems.length) throw new Error(`--answers: the answer for "${key}" does not match its form: ${describe(problems, `${key}`)}`);
    return { waitId: wait.waitId, approved: true, answer, by: `${by} (--answers)` };
  }
  if (!options.takeDefault) return undefined;
  const fields = simpleFields(schema);
  const candidate = 'default' in schema ? schema.default : fields ? Object.fromEntries(fields.flatMap((f) => (f.default === undefined ? [] : [[f.name, f.default]]))) : undefined;
  if (candidate === undefined || schemaProblems(candidate, schema).length) return undefined;
  return { waitId: wait.waitId, approved: true, answer: candidate, by: `${by} (default answer)` };
}
