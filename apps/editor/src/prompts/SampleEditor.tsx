import { buildSample, type SampleDraft, type SampleFields } from './samples';

interface Props {
  index: number;
  sample: SampleDraft;
  form: SampleFields;
  onChange: (sample: SampleDraft) => void;
  /** Absent for the only sample: there is always one. */
  onRemove?: () => void;
}

/** One sample: a field per variable the tried templates read, and a JSON box for anything else. */
export function SampleEditor({ index, sample, form, onChange, onRemove }: Props) {
  const label = `Sample ${index + 1}`;
  const built = buildSample(sample, form);
  return (
    <fieldset className="prompts-sample">
      <legend>{label}</legend>
      {form.fields.length === 0 && <p className="prompts-note">The templates read no variables; the JSON box below can still set some.</p>}
      {form.fields.map((field) => (
        <label key={field.key} className="prompts-field">
          <code>{field.key}</code>
          <textarea rows={2} value={sample.values[field.key] ?? ''} onChange={(e) => onChange({ ...sample, values: { ...sample.values, [field.key]: e.target.value } })} aria-label={`${label}: ${field.key}`} />
        </label>
      ))}
      <details open={sample.json !== '' || form.jsonOnly.length > 0}>
        <summary>Variables as JSON (numbers, lists, nested values)</summary>
        <textarea
          rows={4}
          spellCheck={false}
          value={sample.json}
          placeholder={'{"input": {"message": "Hello"}}'}
          onChange={(e) => onChange({ ...sample, json: e.target.value })}
          aria-label={`${label}: variables as JSON`}
        />
        <p className="prompts-note">The fields above are set on top of this object.</p>
      </details>
      {!built.ok && (
        <p role="alert" className="prompts-error">
          {label}: {built.error}
        </p>
      )}
      {built.ok && built.unset.length > 0 && <p className="prompts-note">Not set: {built.unset.join(', ')} (a version that reads a missing variable fails, as a run would).</p>}
      {onRemove && (
        <button type="button" onClick={onRemove}>
          Remove sample {index + 1}
        </button>
      )}
    </fieldset>
  );
}
