import type { TemplateReading } from './variables';

/** The `{{ variables }}` a template reads, listed under it as it is typed. */
export function VariableList({ reading }: { reading: TemplateReading }) {
  if (reading.syntaxError) {
    return (
      <p role="alert" className="prompts-error">
        {reading.syntaxError}
      </p>
    );
  }
  if (reading.variables.length === 0) return <p className="prompts-note">The template reads no variables.</p>;
  return (
    <div className="prompts-variables">
      <span aria-hidden="true">Variables:</span>{' '}
      <ul aria-label="Variables">
        {reading.variables.map((v) => (
          <li key={v}>
            <code>{v}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
