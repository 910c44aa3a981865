import { Command } from 'cmdk';

export interface PaletteCommand {
  id: string;
  label: string;
  group: string;
  /** Shown at the right, e.g. "Ctrl+S". */
  hint?: string;
  /** Extra words it is found by. */
  keywords?: string[];
  run(): void;
}

/**
 * Ctrl+K: every action of the editor by name (cmdk does the fuzzy matching and the arrow-key
 * list). The caller builds the command list, so the palette knows nothing of flows.
 */
export function CommandPalette({ open, onOpenChange, commands }: { open: boolean; onOpenChange: (open: boolean) => void; commands: readonly PaletteCommand[] }) {
  const groups = [...new Set(commands.map((c) => c.group))];
  return (
    <Command.Dialog open={open} onOpenChange={onOpenChange} label="Command palette" className="command-palette" overlayClassName="command-overlay">
      <Command.Input placeholder="Type a command or a node name…" aria-label="Command" />
      <Command.List>
        <Command.Empty>No command matches.</Command.Empty>
        {groups.map((group) => (
          <Command.Group key={group} heading={group}>
            {commands
              .filter((c) => c.group === group)
              .map((c) => (
                <Command.Item
                  key={c.id}
                  value={`${c.group} ${c.label} ${c.id}`}
                  keywords={c.keywords ?? []}
                  onSelect={() => {
                    onOpenChange(false);
                    c.run();
                  }}
                >
                  <span>{c.label}</span>
                  {c.hint && <kbd>{c.hint}</kbd>}
                </Command.Item>
              ))}
          </Command.Group>
        ))}
      </Command.List>
    </Command.Dialog>
  );
}
