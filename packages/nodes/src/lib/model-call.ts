import { generateText, jsonSchema, Output, stepCountIs, streamText, tool, type ModelMessage, type ToolSet } from 'ai';
import { errorMessage } from '@trellis/schema';
import { TrellisError } from '../errors.js';
import { describeViolations } from './json-schema.js';
import { validateJson } from './json-schema-validate.js';
import type { AttachedTool, ExecContext } from '../runtime.js';

export interface ModelCallOptions {
  model: string;
  system?: string | undefined;
  messages: ModelMessage[];
  /** JSON Schema of a structured output; the answer is validated against it. */
  schema?: Record<string, unknown> | undefined;
  /** Tools the model may call; one without `execute` ends the loop when called, for the caller to answer. */
  tools?: ModelTool[];
  /** Model calls this loop may make (1 for a single prompt). */
  maxSteps?: number;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
}

/** A tool as a model call takes it: an attached node's, or one its caller answers itself (no `execute`). */
export type ModelTool = Omit<AttachedTool, 'execute' | 'nodeId'> & { nodeId?: string | undefined; execute?: AttachedTool['execute'] };

export interface PendingApproval {
  approvalId: string;
  toolCallId: string;
  tool: string;
  toolNodeId: string | undefined;
  args: unknown;
}

export interface ModelCallResult {
  text: string;
  output: unknown;
  /** Messages the model and tools added, to continue the conversation later. */
  messages: ModelMessage[];
  steps: number;
  finishReason: string;
  approvals: PendingApproval[];
  /** The tool calls of the last model call (answered or not). */
  toolCalls: { toolCallId: string; toolName: string; input: unknown }[];
}

/**
 * What a model call needs of its caller: the model (metered, with the test provider wired in),
 * a signal that cuts it off, and where its events go. A node's `ExecContext` is one; the prompt
 * library's "Try it" makes another, so both call models the same way.
 */
export type ModelCallContext = Pick<ExecContext<unknown>, 'model' | 'signal' | 'emit' | 'live'>;

/**
 * One model call, or an AI SDK tool loop of up to `maxSteps` calls, streamed into the trace:
 * text deltas, tool calls and tool results become node events as they happen.
 * Retries are the engine's (with backoff, visible in the trace), so the SDK's are off.
 */
export async function callModel(ctx: ModelCallContext, options: ModelCallOptions): Promise<ModelCallResult> {
  const byName = new Map((options.tools ?? []).map((t) => [t.name, t]));
  const tools: ToolSet = {};
  for (const t of options.tools ?? []) {
    const inputSchema = jsonSchema<Record<string, unknown>>(t.inputSchema as Parameters<typeof jsonSchema>[0]);
    const execute = t.execute;
    tools[t.name] = execute
      ? tool({
          description: t.description,
          inputSchema,
          needsApproval: t.requiresApproval,
          execute: (args: Record<string, unknown>, { abortSignal, toolCallId }) => execute(args, abortSignal ?? ctx.signal, { callId: toolCallId }),
        })
      : tool({ description: t.description, inputSchema, needsApproval: t.requiresApproval });
  }
  const request = {
    model: ctx.model(options.model),
    system: options.system,
    messages: options.messages,
    ...(options.tools?.length ? { tools } : {}),
    stopWhen: stepCountIs(options.maxSteps ?? 1),
    ...(options.schema ? { output: Output.object({ schema: jsonSchema(options.schema as Parameters<typeof jsonSchema>[0]) }) } : {}),
    temperature: options.temperature,
    maxOutputTokens: options.maxOutputTokens,
    abortSignal: ctx.signal,
    maxRetries: 0,
  };
  // Nobody watches the text as it comes, and no tool call is to be shown as it happens: one
  // whole call. Through Node 20's web streams, streaming costs several times the CPU.
  if (!options.tools?.length && ctx.live?.() === false) return wholeCall(generateText(request), options.schema);

  const result = streamText({
    ...request,
    // Errors reach the trace through the stream; the SDK's default would print them (prompts
    // included) to stderr.
    onError: () => {},
  });

  const approvals: PendingApproval[] = [];
  const startedAt = new Map<string, number>();
  for await (const part of result.fullStream) {
    switch (part.type) {
      case 'text-delta':
        if (part.text) ctx.emit({ type: 'node.delta', data: { text: part.text } });
        break;
      case 'tool-call':
        startedAt.set(part.toolCallId, Date.now());
        ctx.emit({
          type: 'node.tool_call',
          data: { toolCallId: part.toolCallId, tool: part.toolName, toolNodeId: byName.get(part.toolName)?.nodeId, args: part.input },
        });
        break;
      case 'tool-result':
      case 'tool-error': {
        const start = startedAt.get(part.toolCallId);
        ctx.emit({
          type: 'node.tool_result',
          data: {
            toolCallId: part.toolCallId,
            tool: part.toolName,
            toolNodeId: byName.get(part.toolName)?.nodeId,
            ...(part.type === 'tool-result' ? { result: part.output } : { error: errorMessage(part.error) }),
            ...(start === undefined ? {} : { durationMs: Date.now() - start }),
          },
        });
        break;
      }
      case 'tool-output-denied':
        ctx.emit({
          type: 'node.tool_result',
          data: { toolCallId: part.toolCallId, tool: part.toolName, toolNodeId: byName.get(part.toolName)?.nodeId, error: 'denied by the approver' },
        });
        break;
      case 'tool-approval-request':
        approvals.push({
          approvalId: part.approvalId,
          toolCallId: part.toolCall.toolCallId,
          tool: part.toolCall.toolName,
          toolNodeId: byName.get(part.toolCall.toolName)?.nodeId,
          args: part.toolCall.input,
        });
        break;
      case 'error':
        throw part.error;
      case 'abort':
        throw new TrellisError('cancelled', 'the model call was cancelled');
      default:
        break;
    }
  }

  const [text, steps, response, finishReason, toolCalls] = await Promise.all([result.text, result.steps, result.response, result.finishReason, result.toolCalls]);
  const output = options.schema && approvals.length === 0 && finishReason !== 'tool-calls' ? await checkedOutput(() => result.output, options.schema) : text;
  return {
    text,
    output,
    messages: response.messages,
    steps: steps.length,
    finishReason,
    approvals,
    toolCalls: toolCalls.map((c) => ({ toolCallId: c.toolCallId, toolName: c.toolName, input: c.input })),
  };
}

/** A call made whole (no tools, so no tool events): its answer, as the streamed path gives it. */
async function wholeCall(call: ReturnType<typeof generateText>, schema: Record<string, unknown> | undefined): Promise<ModelCallResult> {
  // A failure throws as the stream's error part would (normalizeError reads both alike).
  const result = await call;
  const output = schema && result.finishReason !== 'tool-calls' ? await checkedOutput(() => result.output, schema) : result.text;
  return { text: result.text, output, messages: result.response.messages, steps: result.steps.length, finishReason: result.finishReason, approvals: [], toolCalls: [] };
}

/** The structured answer, checked against the node's output schema (a retryable failure when it does not match). */
async function checkedOutput(read: () => unknown, schema: Record<string, unknown>): Promise<unknown> {
  let output: unknown;
  try {
    output = await read();
  } catch (error) {
    throw new TrellisError('invalid_model_output', `the model's answer is not valid JSON for the output schema: ${errorMessage(error)}`, { retryable: true, cause: error });
  }
  const violations = validateJson(output, schema);
  if (violations.length) {
    throw new TrellisError('invalid_model_output', `the model's answer does not match the output schema: ${describeViolations(violations)}`, { retryable: true });
  }
  return output;
}

export interface PromptCallOptions extends Omit<ModelCallOptions, 'messages' | 'tools' | 'maxSteps'> {
  /** The rendered prompt, sent as the one user message. */
  prompt: string;
}

/** One prompt, as the prompt node sends it: the system text and the prompt as one user message. */
export function callPrompt(ctx: ModelCallContext, options: PromptCallOptions): Promise<ModelCallResult> {
  const { prompt, ...rest } = options;
  return callModel(ctx, { ...rest, messages: [{ role: 'user', content: prompt }] });
}
