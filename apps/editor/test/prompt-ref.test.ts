import { kinds, type FieldHint } from '@trellis/nodes';
import { describe, expect, it } from 'vitest';
import { inlineSource, inlineText, librarySource, modeOf, newerVersion, parsedRef, refText, resolvedVersion } from '../src/inspector/prompt-ref/prompt-ref-model.js';
import { getPath, setPath } from '../src/inspector/paths.js';

const hint = (type: string, path: string): FieldHint => {
  const found = kinds.get(type)?.fields.find((h) => h.path === path);
  if (!found?.promptRef) throw new Error(`${type}.${path} takes no library prompt`);
  return found;
};

describe('a template field that may take its text from the prompt library', () => {
  const promptField = hint('prompt', 'prompt.template');
  const systemField = hint('prompt', 'system');
  const instructionsField = hint('agent', 'instructions');

  it('tells inline text from a library reference', () => {
    expect(modeOf({ template: 'Classify {{ input.message }}' })).toBe('inline');
    expect(modeOf('You are terse.')).toBe('inline');
    expect(modeOf(undefined)).toBe('inline');
    expect(modeOf({ ref: 'triage-classifier@3' })).toBe('library');
    expect(refText({ ref: 'triage-classifier@3' })).toBe('triage-classifier@3');
    expect(parsedRef({ ref: 'triage-classifier@3' })).toEqual({ name: 'triage-classifier', version: 3 });
    expect(parsedRef({ ref: 'triage-classifier@latest' })).toEqual({ name: 'triage-classifier', version: 'latest' });
    expect(parsedRef({ ref: 'not a ref' })).toBeUndefined();
  });

  it('writes a library prompt in place of the whole text, and the inline form each kind expects', () => {
    expect(librarySource('triage-classifier', 3)).toEqual({ ref: 'triage-classifier@3' });
    expect(librarySource('researcher', 'latest')).toEqual({ ref: 'researcher@latest' });
    // The prompt node's prompt is `{ template }` inline: the reference replaces the object.
    expect(inlineSource(promptField, 'Sort {{ input.message }}')).toEqual({ template: 'Sort {{ input.message }}' });
    // System text and agent instructions are the string itself.
    expect(inlineSource(systemField, 'Be brief.')).toBe('Be brief.');
    expect(inlineSource(instructionsField, 'Investigate.')).toBe('Investigate.');
    expect(inlineSource(systemField, '')).toBeUndefined();
    expect(inlineText(promptField, { template: 'Sort' })).toBe('Sort');
    expect(inlineText(promptField, { ref: 'x@1' })).toBe('');
    expect(inlineText(instructionsField, 'Investigate.')).toBe('Investigate.');
  });

  it('gives configs the node kinds accept, in both forms', () => {
    const spec = kinds.get('prompt')!;
    const config = spec.defaults() as Record<string, unknown>;
    const library = setPath(config, promptField.promptRef!.path, librarySource('triage-classifier', 2));
    expect(spec.configSchema.safeParse(library).success).toBe(true);
    expect(getPath(library, 'prompt')).toEqual({ ref: 'triage-classifier@2' });
    const back = setPath(library, promptField.promptRef!.path, inlineSource(promptField, 'Sort {{ input.message }}'));
    expect(spec.configSchema.safeParse(back).success).toBe(true);

    const agent = kinds.get('agent')!;
    const withRef = setPath(agent.defaults() as Record<string, unknown>, instructionsField.promptRef!.path, librarySource('researcher', 'latest'));
    expect(agent.configSchema.safeParse(withRef).success).toBe(true);
  });

  it('says a newer version exists only for a pin older than the latest', () => {
    expect(newerVersion(1, 2)).toBe(2);
    expect(newerVersion(2, 2)).toBeUndefined();
    expect(newerVersion('latest', 5)).toBeUndefined();
    expect(newerVersion(3, undefined)).toBeUndefined();
    expect(resolvedVersion('latest', 5)).toBe(5);
    expect(resolvedVersion(2, 5)).toBe(2);
  });
});
