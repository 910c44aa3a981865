import { templateVariables } from '@trellis/nodes';
import { errorMessage } from '@trellis/schema';

export interface TemplateReading {
  /** Every variable the template reads, as dotted paths, once each, in order. */
  variables: string[];
  /** Set when the template does not parse. */
  syntaxError?: string;
}

/** The variables of a template as it is being typed (the same reading the runner and the inspector use). */
export function readTemplate(template: string): TemplateReading {
  try {
    return { variables: [...new Set(templateVariables(template))] };
  } catch (error) {
    return { variables: [], syntaxError: errorMessage(error) };
  }
}
