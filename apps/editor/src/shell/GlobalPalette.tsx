import { lazy, Suspense, useEffect, useState } from 'react';
import type { ApiClient } from '../api';
import type { PaletteCommand } from '../canvas/CommandPalette';
import type { Route } from '../routes';
import { globalCommands } from './global-commands';

// cmdk and its dialog load when first opened, keeping them out of the first load.
const CommandPalette = lazy(() => import('../canvas/CommandPalette').then((m) => ({ default: m.CommandPalette })));

/** Ctrl+K on every page but the canvas (whose palette has these commands too). */
export function GlobalPalette({ api, open, onOpenChange, go }: { api: ApiClient; open: boolean; onOpenChange: (open: boolean) => void; go: (route: Route) => void }) {
  const [commands, setCommands] = useState<PaletteCommand[]>([]);
  useEffect(() => {
    if (!open) return;
    let live = true;
    void globalCommands(api, go).then((c) => live && setCommands(c));
    return () => {
      live = false;
    };
  }, [api, go, open]);
  if (!open) return null;
  return (
    <Suspense fallback={null}>
      <CommandPalette open={open} onOpenChange={onOpenChange} commands={commands} />
    </Suspense>
  );
}
