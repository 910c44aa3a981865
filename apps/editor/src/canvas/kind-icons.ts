import type { LucideIcon } from 'lucide-react';
import type { KindSpec } from '@trellis/nodes';
import { nodeLook } from './node-look';

/**
 * The palette's view of the node kinds: the categories in the order it lists them, with their
 * names as people read them. The icons and colours are the canvas nodes' own (node-look.ts).
 */
export type Category = KindSpec['category'];

/** The categories in the order the palette lists them, with their names as people read them. */
export const CATEGORIES: ReadonlyArray<{ category: Category; label: string; token: string }> = [
  { category: 'input/output', label: 'Input & output', token: 'cat-io' },
  { category: 'ai', label: 'AI', token: 'cat-ai' },
  { category: 'logic', label: 'Logic', token: 'cat-logic' },
  { category: 'tools', label: 'Tools', token: 'cat-tools' },
  { category: 'human', label: 'People', token: 'cat-human' },
];

/** The icon of a kind, as its nodes on the canvas show it. */
export const kindIcon = (type: string): LucideIcon => nodeLook(type).icon;

/** The CSS colour of a category, e.g. `var(--cat-ai)`; an unknown one is drawn muted. */
export function categoryColor(category: string | undefined): string {
  const token = CATEGORIES.find((c) => c.category === category)?.token;
  return token ? `var(--${token})` : 'var(--fg-subtle)';
}
