import { Popover } from 'radix-ui';
import { StatusBadge, type Status } from '../ui/StatusBadge';
import { formatDuration, formatTokens } from './run-on-canvas';

interface Props {
  name: string;
  status: string;
  durationMs?: number;
  tokens?: number;
  output?: string;
}

/**
 * Where a node's step stands in the run on show: its status, duration and tokens; clicking it
 * opens the step's output. Rendered only on nodes the run reached, so an idle canvas pays nothing.
 */
export function NodeRunStatus({ name, status, durationMs, tokens, output }: Props) {
  const duration = durationMs !== undefined ? formatDuration(durationMs) : undefined;
  const facts = [duration, tokens !== undefined ? formatTokens(tokens, true) : undefined].filter(Boolean).join(' · ');
  const said = [duration, tokens !== undefined ? formatTokens(tokens) : undefined].filter(Boolean).join(' · ');
  const line = (
    <>
      <StatusBadge status={status as Status} />
      {facts && (
        <span className="node-run-facts" title={said}>
          {facts}
        </span>
      )}
    </>
  );
  if (output === undefined) return <div className="node-run">{line}</div>;
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <button type="button" className="node-run nodrag nopan" aria-label={`Output of ${name}`}>
          {line}
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content side="bottom" align="start" sideOffset={6} collisionPadding={12} className="node-output-popover" aria-label={`Output of ${name}`}>
          <div className="node-output-popover-head">Output of {name}</div>
          <pre>{output}</pre>
          <Popover.Arrow className="node-output-popover-arrow" />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
