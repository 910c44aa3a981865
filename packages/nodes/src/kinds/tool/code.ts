import type { CheckContext } from '@trellis/schema';
import { z } from 'zod';
import type { FieldHint, KindProblem } from '../../spec.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';
import { common } from './common.js';

/**
 * The code tool's config and checks. This file is part of the spec, which the editor bundles too,
 * so it never imports the sandbox (QuickJS and its WebAssembly stay on the server): the syntax
 * check is lent to it by the server half (code-run.ts) once the sandbox is loaded.
 */
export const CODE_LIMITS = {
  maxCodeChars: 50_000,
  maxTimeoutMs: 30_000,
  maxMemoryMb: 256,
  maxOutputBytes: 20_000_000,
} as const;

const codeFields = {
  /** The body of `async function (args) { … }`: reads `args`, returns a JSON value, may `await`. */
  code: z.string().min(1, 'the code tool needs code').max(CODE_LIMITS.maxCodeChars),
  /**
   * As a step: what the code gets as `args`. String leaves are templates over the run scope
   * (`{ "text": "{{ nodes.fetch.output.body }}" }`). Default: `{ input, nodes, vars }`.
   * As an agent's tool the code gets the arguments the model passes instead.
   */
  args: z.unknown().optional(),
  timeoutMs: z.number().int().min(10).max(CODE_LIMITS.maxTimeoutMs).default(1_000),
  memoryMb: z.number().int().min(1).max(CODE_LIMITS.maxMemoryMb).default(32),
  maxOutputBytes: z.number().int().min(1_024).max(CODE_LIMITS.maxOutputBytes).default(1_000_000),
};

export const CodeToolConfig = z.object({ tool: z.literal('code'), ...common, ...codeFields });
export type CodeToolConfig = z.infer<typeof CodeToolConfig>;

/** Why a body does not parse (`line` 1-based in the body), or undefined: lent by the server. */
export type CodeSyntaxCheck = (code: string) => { message: string; line?: number } | undefined;
let syntaxCheck: CodeSyntaxCheck | undefined;

export function setCodeSyntaxCheck(check: CodeSyntaxCheck) {
  syntaxCheck = check;
}

export function checkCodeTool(config: CodeToolConfig, ctx: CheckContext): KindProblem[] {
  const syntax = syntaxCheck?.(config.code);
  return [
    ...(syntax
      ? [{ code: 'invalid_expression' as const, path: ['code'], message: `the code does not parse: ${syntax.message}${syntax.line ? ` (line ${syntax.line})` : ''}` }]
      : []),
    ...templateLeaves(config.args, ['args']).flatMap(([t, path]) => checkTemplate(t, ctx, path)),
  ];
}

/** What an agent may pass: the declared `parameters`, or any object. */
export function codeArgumentsSchema(config: CodeToolConfig): Record<string, unknown> {
  return config.parameters ?? { type: 'object', additionalProperties: true };
}

const onlyCode = { path: 'tool', equals: ['code'] } as const;

/** The editor's form fields of the code tool. */
export const codeFieldHints: FieldHint[] = [
  {
    path: 'code',
    label: 'JavaScript',
    widget: 'textarea',
    help: 'The body of async function (args): return a JSON value. Runs in a sandbox: no network, files, modules or timers; console output goes to the trace.',
    showWhen: onlyCode,
  },
  {
    path: 'args',
    label: 'Arguments (as a step)',
    widget: 'template-json',
    help: 'What the code gets as args when it runs as a step. Default: { input, nodes, vars }.',
    showWhen: onlyCode,
  },
  { path: 'timeoutMs', label: 'Time limit (ms)', widget: 'number', showWhen: onlyCode },
  { path: 'memoryMb', label: 'Memory limit (MB)', widget: 'number', showWhen: onlyCode },
  { path: 'maxOutputBytes', label: 'Largest result (bytes)', widget: 'number', showWhen: onlyCode },
];
