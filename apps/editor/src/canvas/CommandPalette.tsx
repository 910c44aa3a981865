import { Command } from 'cmdk';
import { Search } from 'lucide-react';

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
      <div className="command-search">
        <Search size={16} aria-hidden="true" />
        <Command.Input placeholder="Type a command, a node or a page…" aria-label="Command" />
      </div>
      <Command.List>
        <Command.Empty>No command matches.</Command.Empty>
        {groups.map((group) => (
          <Command.Group key={group} heading={group}>
            {commands
              .filter((c) => c.group === group)
              .map((c) => (
                <Command.Item
                  key={c.id}
                  value={`${c.label} ${c.id}`}
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
      <div className="command-foot" aria-hidden="true">
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> to move
        </span>
        <span>
          <kbd>Enter</kbd> to run
        </span>
        <span>
          <kbd>Esc</kbd> to close
        </span>
      </div>
    </Command.Dialog>
  );
}
