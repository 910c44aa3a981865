import type { ApiClient } from '../api';
import type { PaletteCommand } from '../canvas/CommandPalette';
import type { Route } from '../routes';
import { setThemeChoice, type ThemeChoice } from '../ui/theme';
import { SECTIONS } from './AppHeader';

/**
 * The commands every page has: go to a section, open a flow or prompt by name, pick a theme.
 * The flows and prompts are loaded when the palette opens (an unreachable runner leaves them out).
 */
export async function globalCommands(api: ApiClient, go: (route: Route) => void): Promise<PaletteCommand[]> {
  const [flows, prompts] = await Promise.all([api.listFlows().catch(() => []), api.listPrompts().catch(() => [])]);
  const sections: PaletteCommand[] = SECTIONS.map(({ section, label }) => ({ id: `go-${section}`, label: `Go to ${label}`, group: 'Go to', run: () => go({ page: section } as Route) }));
  const themes: PaletteCommand[] = (['light', 'dark', 'system'] as ThemeChoice[]).map((choice) => ({
    id: `theme-${choice}`,
    label: choice === 'system' ? 'Theme: follow the system' : `Theme: ${choice}`,
    group: 'Appearance',
    keywords: ['dark', 'light', 'mode'],
    run: () => setThemeChoice(choice),
  }));
  const openFlows: PaletteCommand[] = flows.map((f) => ({ id: `flow-${f.id}`, label: `Open flow ${f.name}`, group: 'Flows', keywords: [f.id], run: () => go({ page: 'flow', id: f.id }) }));
  const openPrompts: PaletteCommand[] = prompts.map((p) => ({ id: `prompt-${p.name}`, label: `Open prompt ${p.name}`, group: 'Prompts', run: () => go({ page: 'prompt', name: p.name }) }));
  return [...sections, ...openFlows, ...openPrompts, ...themes];
}
