import { callModel } from '../../lib/model-call.js';
import { renderTemplate } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import type { PromptConfig } from './spec.js';

export const promptExecutor = defineExecutor<PromptConfig>({
  type: 'prompt',
  async execute(ctx) {
    const { config, scope } = ctx;
    const [system, prompt] = await Promise.all([
      config.system ? renderTemplate(config.system, scope) : undefined,
      renderTemplate(config.prompt.template, scope),
    ]);
    const result = await callModel(ctx, {
      model: config.model,
      system,
      messages: [{ role: 'user', content: prompt }],
      schema: config.output?.schema,
      temperature: config.temperature,
      maxOutputTokens: config.maxOutputTokens,
    });
    return { status: 'done', output: result.output };
  },
});
