import type { TryPromptResult } from '@trellis/schema';
import { formatCost, formatDuration } from '../run/describe';
import { versionLabel, type TryGrid } from './try-model';

function Cell({ result }: { result: TryPromptResult | undefined }) {
  if (!result) return <td className="prompts-try-cell">No result.</td>;
  const cost = formatCost(result.usage);
  const facts = [
    result.usage ? `${result.usage.inputTokens} tokens in, ${result.usage.outputTokens} out` : undefined,
    formatDuration(result.durationMs),
    cost,
    result.testProvider ? 'test provider' : undefined,
  ].filter(Boolean);
  return (
    <td className="prompts-try-cell">
      {result.error ? (
        <p className="prompts-error">Failed: {result.error}</p>
      ) : (
        <pre className="prompts-try-output">
          {result.text ?? ''}
        </pre>
      )}
      <p className="prompts-meta">{facts.join(' · ')}</p>
      <details>
        <summary>Rendered prompt</summary>
        {result.rendered ? <pre className="prompts-try-rendered">{result.rendered}</pre> : <p className="prompts-note">Nothing was rendered.</p>}
      </details>
    </td>
  );
}

/** The outputs side by side: a row per sample, a column per version, on the same model. */
export function TryResults({ grid, model }: { grid: TryGrid; model: string }) {
  return (
    <section className="prompts-try-results" aria-label="Try it results">
      <h3>Results on {model}</h3>
      {grid.testProvider && (
        <p className="prompts-test-note" role="note">
          The test provider answered, not a real model: outputs are the mock reply (or an echo of the prompt). Set the provider&apos;s key on the runner, or pick a configured model, for real answers.
        </p>
      )}
      <table className="prompts-try-grid">
        <thead>
          <tr>
            <th scope="col">Sample</th>
            {grid.columns.map((version) => (
              <th scope="col" key={version}>
                {versionLabel(version)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              {row.cells.map((result, i) => (
                <Cell key={grid.columns[i]} result={result} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
