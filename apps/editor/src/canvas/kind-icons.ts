import { Bot, Box, Flag, GitBranch, Layers, LogIn, MessageCircleQuestion, MessageSquareText, Repeat, ShieldCheck, UserCheck, Workflow, Wrench, type LucideIcon } from 'lucide-react';
import type { KindSpec } from '@trellis/nodes';

/**
 * The look of a node kind outside the canvas nodes themselves (the palette, menus): one lucide
 * icon per kind and one colour per category. The colours are the theme's `--cat-*` tokens, so
 * they follow light and dark. (The canvas nodes have their own table in node-look.ts; the two
 * are to be merged.)
 */
const ICONS: Record<string, LucideIcon> = {
  input: LogIn,
  output: Flag,
  prompt: MessageSquareText,
  agent: Bot,
  condition: GitBranch,
  guardrail: ShieldCheck,
  subflow: Workflow,
  map: Layers,
  loop: Repeat,
  tool: Wrench,
  approval: UserCheck,
  'human-input': MessageCircleQuestion,
};

export type Category = KindSpec['category'];

/** The categories in the order the palette lists them, with their names as people read them. */
export const CATEGORIES: ReadonlyArray<{ category: Category; label: string; token: string }> = [
  { category: 'input/output', label: 'Input & output', token: 'cat-io' },
  { category: 'ai', label: 'AI', token: 'cat-ai' },
  { category: 'logic', label: 'Logic', token: 'cat-logic' },
  { category: 'tools', label: 'Tools', token: 'cat-tools' },
  { category: 'human', label: 'People', token: 'cat-human' },
];

/** The icon of a kind; an unknown kind gets a plain box. */
export const kindIcon = (type: string): LucideIcon => ICONS[type] ?? Box;

/** The CSS colour of a category, e.g. `var(--cat-ai)`; an unknown one is drawn muted. */
export function categoryColor(category: string | undefined): string {
  const token = CATEGORIES.find((c) => c.category === category)?.token;
  return token ? `var(--${token})` : 'var(--fg-subtle)';
}
