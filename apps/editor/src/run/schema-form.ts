import { errorMessage } from '@trellis/schema';
/**
 * The run input form, generated from the input node's JSON Schema: one field per top-level
 * property. Pure functions, so the model is tested without a browser; InputForm.tsx draws it.
 *
 * Only flat properties get their own widget. A nested object or array, or a schema built from
 * `anyOf`/`$ref`…, is edited as JSON in one textarea: guessing a form for those would hide parts
 * of the value.
 */

type JsonSchema = Record<string, unknown>;

export type FieldWidget = 'text' | 'textarea' | 'select' | 'number' | 'integer' | 'checkbox' | 'json';

export interface FormField {
  /** The property's key in the input object. */
  name: string;
  /** The property's `title`, or its key. */
  label: string;
  widget: FieldWidget;
  required: boolean;
  description?: string;
  /** The allowed values of an `enum` (select). */
  options?: readonly unknown[];
  /** The HTML input type of a text field (`email`, `url`, `date`). */
  inputType?: 'text' | 'email' | 'url' | 'date';
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

/** Strings longer than this get a textarea: a message, a document, not a name or an id. */
const LONG_TEXT = 200;
const TEXT_FORMATS: Record<string, FormField['inputType']> = { email: 'email', uri: 'url', url: 'url', date: 'date' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The one type a schema names (`["string", "null"]` counts as string), or undefined. */
export function schemaType(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

/** The form for an input schema, or undefined when it is not an object with properties (then only JSON is offered). */
export function formFields(schema: unknown): FormField[] | undefined {
  if (!isObject(schema) || !isObject(schema.properties)) return undefined;
  const type = schemaType(schema);
  if (type !== undefined && type !== 'object') return undefined;
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const fields = Object.entries(schema.properties).map(([name, prop]) => fieldFor(name, isObject(prop) ? prop : {}, required.has(name)));
  return fields.length ? fields : undefined;
}

function fieldFor(name: string, prop: JsonSchema, required: boolean): FormField {
  const field: FormField = {
    name,
    label: typeof prop.title === 'string' && prop.title.trim() ? prop.title : name,
    widget: widgetFor(prop),
    required,
  };
  if (typeof prop.description === 'string') field.description = prop.description;
  if (field.widget === 'select') field.options = prop.enum as unknown[];
  if (typeof prop.minimum === 'number') field.minimum = prop.minimum;
  if (typeof prop.maximum === 'number') field.maximum = prop.maximum;
  if (typeof prop.maxLength === 'number') field.maxLength = prop.maxLength;
  if (field.widget === 'text') field.inputType = (typeof prop.format === 'string' && TEXT_FORMATS[prop.format]) || 'text';
  return field;
}

function widgetFor(prop: JsonSchema): FieldWidget {
  // An enum of plain values is a choice, whatever its type.
  if (Array.isArray(prop.enum) && prop.enum.length > 0 && prop.enum.every((v) => v === null || typeof v !== 'object')) return 'select';
  switch (schemaType(prop)) {
    case 'string': {
      const long = typeof prop.maxLength === 'number' ? prop.maxLength > LONG_TEXT : false;
      const multiline = prop.format === 'textarea' || prop.format === 'markdown' || (typeof prop.contentMediaType === 'string' && prop.contentMediaType.startsWith('text/'));
      return long || multiline ? 'textarea' : 'text';
    }
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'checkbox';
    default:
      return 'json';
  }
}

/** The input value as an object the form can edit; anything else (an array, a string) becomes `{}`. */
export const asFormValue = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/** The value with one property set; `undefined` removes it (an emptied field is "not given", so `required` can say so). */
export function withField(value: unknown, name: string, next: unknown): Record<string, unknown> {
  const copy = { ...asFormValue(value) };
  if (next === undefined) delete copy[name];
  else copy[name] = next;
  return copy;
}

/** What a text-like control shows for a property's value. */
export function fieldText(field: FormField, value: unknown): string {
  if (value === undefined) return '';
  if (field.widget === 'json') return JSON.stringify(value, null, 2);
  if (field.widget === 'select') return optionKey(field.options ?? [], value);
  return typeof value === 'string' ? value : String(value);
}

/** The select's option key for a value: its index in the enum ('' when not set or not allowed). */
function optionKey(options: readonly unknown[], value: unknown): string {
  const index = options.findIndex((o) => o === value);
  return index < 0 ? '' : String(index);
}

/**
 * The property value a control's text stands for. `undefined`: the field is empty (the property
 * is removed). A number field with text that is no number, or JSON that does not parse, gives
 * an error to show beside the field; the value is left as it was.
 */
export function parseField(field: FormField, text: string): { value: unknown } | { error: string } {
  switch (field.widget) {
    case 'number':
    case 'integer': {
      if (text.trim() === '') return { value: undefined };
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: 'must be a number' };
      if (field.widget === 'integer' && !Number.isInteger(n)) return { error: 'must be a whole number' };
      return { value: n };
    }
    case 'select':
      return { value: text === '' ? undefined : field.options?.[Number(text)] };
    case 'json': {
      if (text.trim() === '') return { value: undefined };
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (e) {
        return { error: `is not valid JSON (${errorMessage(e)})` };
      }
    }
    default:
      return { value: text === '' ? undefined : text };
  }
}
