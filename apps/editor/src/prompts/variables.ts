import { templateSyntaxError, templateVariables } from '@trellis/nodes';

export interface TemplateReading {
  /** Every variable the template reads, as dotted paths, once each, in order. */
  variables: string[];
  /** Set when the template does not parse. */
  syntaxError?: string;
}

/** The variables of a template as it is being typed (the same reading the runner and the inspector use). */
export function readTemplate(template: string): TemplateReading {
  const syntaxError = templateSyntaxError(template);
  if (syntaxError) return { variables: [], syntaxError };
  return { variables: [...new Set(templateVariables(template))] };
}
