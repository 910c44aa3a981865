import { useId, useState } from 'react';
import { asFormValue, fieldText, parseField, withField, type FormField } from './schema-form';

interface Props {
  fields: FormField[];
  value: unknown;
  onChange: (value: Record<string, unknown>) => void;
  /** Problems by property name, from the schema check, shown under their field. */
  problems: ReadonlyMap<string, string[]>;
}

/** The run input as a form, one control per property of the input schema. */
export function InputForm({ fields, value, onChange, problems }: Props) {
  const object = asFormValue(value);
  return (
    <div className="run-input-form">
      {fields.map((field) => (
        <Field key={field.name} field={field} value={object[field.name]} onChange={(next) => onChange(withField(object, field.name, next))} problems={problems.get(field.name) ?? []} />
      ))}
    </div>
  );
}

function Field({ field, value, onChange, problems }: { field: FormField; value: unknown; onChange: (next: unknown) => void; problems: string[] }) {
  const id = useId();
  // What the person typed, while it cannot become a value yet (a half-typed number or JSON).
  const [draft, setDraft] = useState<{ text: string; error: string } | undefined>();
  const text = draft?.text ?? fieldText(field, value);
  const errors = draft ? [draft.error, ...problems] : problems;
  const describedBy = [field.description ? `${id}-help` : '', errors.length ? `${id}-errors` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': errors.length > 0, 'aria-describedby': describedBy, required: field.required };

  const edit = (next: string) => {
    const parsed = parseField(field, next);
    if ('error' in parsed) return setDraft({ text: next, error: `${field.label} ${parsed.error}` });
    setDraft(undefined);
    onChange(parsed.value);
  };

  let control;
  switch (field.widget) {
    case 'checkbox':
      control = <input {...common} type="checkbox" required={false} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
      break;
    case 'select':
      control = (
        <select {...common} value={text} onChange={(e) => edit(e.target.value)}>
          <option value="">{field.required ? 'choose…' : 'not set'}</option>
          {(field.options ?? []).map((option, i) => (
            <option key={i} value={String(i)}>
              {typeof option === 'string' ? option : JSON.stringify(option)}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
    case 'integer':
      control = <input {...common} type="number" inputMode={field.widget === 'integer' ? 'numeric' : 'decimal'} step={field.widget === 'integer' ? 1 : 'any'} min={field.minimum} max={field.maximum} value={text} onChange={(e) => edit(e.target.value)} />;
      break;
    case 'textarea':
      control = <textarea {...common} rows={4} maxLength={field.maxLength} value={text} onChange={(e) => edit(e.target.value)} />;
      break;
    case 'json':
      control = <textarea {...common} className="json" rows={4} spellCheck={false} value={text} onChange={(e) => edit(e.target.value)} />;
      break;
    default:
      control = <input {...common} type={field.inputType ?? 'text'} maxLength={field.maxLength} value={text} onChange={(e) => edit(e.target.value)} />;
  }

  return (
    <div className={`run-field${field.widget === 'checkbox' ? ' checkbox' : ''}`}>
      {/* The required mark is drawn by CSS: the control's `required` already says it to assistive tech. */}
      <label htmlFor={id} className={field.required ? 'required' : undefined} title={field.required ? 'Required' : undefined}>
        {field.label}
        {field.widget === 'json' ? ' (JSON)' : ''}
      </label>
      {control}
      {field.description && (
        <small id={`${id}-help`} className="help">
          {field.description}
        </small>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-errors`} className="field-errors">
          {errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
