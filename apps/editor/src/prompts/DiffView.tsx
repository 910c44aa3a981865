import type { PromptVersion } from '@trellis/schema';
import { diffRows, diffSummary, tagChanges, type DiffLine } from './diff-rows';

const quoted = (text: string | undefined) => (text ? `“${text}”` : '(none)');

function Cells({ line }: { line: DiffLine | undefined }) {
  if (!line) return <td className="prompts-diff-empty" colSpan={2} />;
  return (
    <>
      <td className="prompts-diff-number">{line.number}</td>
      <td className={`prompts-diff-text prompts-diff-${line.kind}`}>
        {/* The colour is not the only sign: a marker you can see, and words a screen reader says. */}
        {line.kind !== 'same' && (
          <>
            <span className="prompts-diff-sign" aria-hidden="true">
              {line.kind === 'added' ? '+' : '−'}
            </span>
            <span className="prompts-sr-only">{line.kind}: </span>
          </>
        )}
        {line.text}
      </td>
    </>
  );
}

/** Two versions side by side: the template line by line, and what happened to the description and tags. */
export function DiffView({ from, to }: { from: PromptVersion; to: PromptVersion }) {
  const diff = diffRows(from.template, to.template);
  const tags = tagChanges(from.tags, to.tags);
  const label = `Changes from version ${from.version} to version ${to.version}`;
  return (
    <section className="prompts-diff" aria-label={label}>
      <h3>{label}</h3>
      <p>{diffSummary(diff)}</p>
      {(from.description ?? '') !== (to.description ?? '') && (
        <p>
          Description: {quoted(from.description)} → {quoted(to.description)}
        </p>
      )}
      {(tags.added.length > 0 || tags.removed.length > 0) && (
        <p>
          Tags: {tags.added.length > 0 && `added ${tags.added.join(', ')}`}
          {tags.added.length > 0 && tags.removed.length > 0 && '; '}
          {tags.removed.length > 0 && `removed ${tags.removed.join(', ')}`}
        </p>
      )}
      <table className="prompts-diff-table">
        <colgroup>
          <col className="prompts-diff-number-column" />
          <col />
          <col className="prompts-diff-number-column" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="colgroup" colSpan={2}>
              Version {from.version}
            </th>
            <th scope="colgroup" colSpan={2}>
              Version {to.version}
            </th>
          </tr>
        </thead>
        <tbody>
          {diff.rows.map((row, i) => (
            <tr key={i}>
              <Cells line={row.left} />
              <Cells line={row.right} />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
