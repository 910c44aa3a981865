/**
 * How a node of each kind looks on the canvas: an icon, and the colour of its kind's category
 * (the `category` of its spec), so a flow can be read by shape and colour before by name.
 */
import { Bot, Flag, GitBranch, Layers, LogIn, MessageCircleQuestion, Repeat, ShieldCheck, Sparkles, SquareDashed, UserCheck, Workflow, Wrench, type LucideIcon } from 'lucide-react';
import { kinds } from '@trellis/nodes';

export type Category = 'io' | 'ai' | 'logic' | 'tools' | 'human';

const ICONS: Record<string, LucideIcon> = {
  input: LogIn,
  output: Flag,
  prompt: Sparkles,
  agent: Bot,
  condition: GitBranch,
  guardrail: ShieldCheck,
  loop: Repeat,
  map: Layers,
  subflow: Workflow,
  tool: Wrench,
  approval: UserCheck,
  'human-input': MessageCircleQuestion,
};

/** The spec's category names, as the short names the theme's `--cat-*` colours use. */
const CATEGORIES: Record<string, Category> = { 'input/output': 'io', ai: 'ai', logic: 'logic', tools: 'tools', human: 'human' };

export interface NodeLook {
  icon: LucideIcon;
  category: Category | undefined;
  /** The category's colour as a CSS value that follows the theme. */
  color: string;
}

const looks = new Map<string, NodeLook>();

/** The look of a kind; an unknown kind gets a neutral one (its problem says why). */
export function nodeLook(type: string): NodeLook {
  let look = looks.get(type);
  if (!look) {
    const category = CATEGORIES[kinds.get(type)?.category ?? ''];
    look = { icon: ICONS[type] ?? SquareDashed, category, color: category ? `var(--cat-${category})` : 'var(--fg-subtle)' };
    looks.set(type, look);
  }
  return look;
}
