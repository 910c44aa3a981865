import { callPrompt } from '../../lib/model-call.js';
import { promptText } from '../../lib/prompt-source.js';
import { renderTemplate } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import type { PromptConfig } from './spec.js';

export const promptExecutor = defineExecutor<PromptConfig>({
  type: 'prompt',
  async execute(ctx) {
    const { config, scope } = ctx;
    const [systemText, promptSource] = await Promise.all([
      config.system === undefined ? undefined : promptText(ctx, config.system),
      promptText(ctx, config.prompt),
    ]);
    const [system, prompt] = await Promise.all([
      systemText ? renderTemplate(systemText, scope) : undefined,
      renderTemplate(promptSource, scope),
    ]);
    const result = await callPrompt(ctx, {
      model: config.model,
      system,
      prompt,
      schema: config.output?.schema,
      temperature: config.temperature,
      maxOutputTokens: config.maxOutputTokens,
    });
    return { status: 'done', output: result.output };
  },
});
