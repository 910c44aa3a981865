import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { MockReply } from '@trellis/schema';
import { TrellisError } from '../errors.js';
import { sampleFromSchema } from '../lib/json-schema.js';

/** Where a node is in its mock script; the engine keeps it so a resumed node goes on where it was. */
export interface MockCursor {
  value: number;
}

/**
 * The deterministic `test` provider. It plays a run's mock script for its node, one reply per
 * model call; with no script (or once the script is spent) it answers from its prompt: an echo
 * for text, a minimal valid object for a structured output. Same prompt, same answer.
 */
export class TestLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'test';
  readonly supportedUrls = {};

  constructor(
    readonly modelId: string,
    private readonly nodeId: string,
    private readonly replies: readonly MockReply[],
    private readonly cursor: MockCursor,
  ) {}

  private async reply(options: LanguageModelV3CallOptions): Promise<{ content: LanguageModelV3Content[]; usage: LanguageModelV3Usage; toolCalls: boolean }> {
    const index = this.cursor.value++;
    const scripted = this.replies[index];
    if (scripted?.delayMs) await sleep(scripted.delayMs, options.abortSignal);
    if (options.abortSignal?.aborted) throw new TrellisError('cancelled', 'the model call was cancelled');
    if (scripted?.error) {
      const status = scripted.error.status;
      throw new TrellisError('model_error', `test provider: ${status ? `${status} ` : ''}${scripted.error.message}`, {
        retryable: status === undefined || status === 429 || status >= 500,
      });
    }
    const content: LanguageModelV3Content[] = [];
    const text = scripted ? scriptedText(scripted) : defaultAnswer(options);
    if (text) content.push({ type: 'text', text });
    (scripted?.toolCalls ?? []).forEach((call, i) => {
      content.push({
        type: 'tool-call',
        toolCallId: `${this.nodeId}-call-${index + 1}-${i + 1}`,
        toolName: call.tool,
        input: JSON.stringify(call.args),
      });
    });
    const inputChars = JSON.stringify(options.prompt).length;
    const outputChars = JSON.stringify(content).length;
    return { content, usage: usage(Math.ceil(inputChars / 4), Math.ceil(outputChars / 4)), toolCalls: Boolean(scripted?.toolCalls?.length) };
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const { content, usage, toolCalls } = await this.reply(options);
    return { content, usage, finishReason: finish(toolCalls), warnings: [] };
  }

  async doStream(options: LanguageModelV3CallOptions) {
    const { content, usage, toolCalls } = await this.reply(options);
    const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
    for (const item of content) {
      if (item.type === 'text') {
        parts.push({ type: 'text-start', id: 't' });
        // Word by word, so the trace shows text arriving as it would from a real model.
        for (const piece of item.text.match(/\S+\s*|\s+/g) ?? []) parts.push({ type: 'text-delta', id: 't', delta: piece });
        parts.push({ type: 'text-end', id: 't' });
      } else {
        parts.push(item as LanguageModelV3StreamPart);
      }
    }
    parts.push({ type: 'finish', usage, finishReason: finish(toolCalls) });
    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
    return { stream };
  }
}

function scriptedText(reply: MockReply): string {
  if (reply.object !== undefined) return JSON.stringify(reply.object);
  return reply.text ?? '';
}

function defaultAnswer(options: LanguageModelV3CallOptions): string {
  if (options.responseFormat?.type === 'json') return JSON.stringify(sampleFromSchema(options.responseFormat.schema ?? {}) ?? {});
  const lastUser = [...options.prompt].reverse().find((m) => m.role === 'user');
  const said = lastUser && Array.isArray(lastUser.content)
    ? lastUser.content.map((p) => (p.type === 'text' ? p.text : '')).join(' ')
    : '';
  const gist = said.replace(/\s+/g, ' ').trim();
  return `Test reply to: ${gist.length > 120 ? `${gist.slice(0, 120)}…` : gist}`;
}

function finish(toolCalls: boolean) {
  return { unified: toolCalls ? ('tool-calls' as const) : ('stop' as const), raw: undefined };
}

function usage(input: number, output: number): LanguageModelV3Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TrellisError('cancelled', 'the model call was cancelled'));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new TrellisError('cancelled', 'the model call was cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
