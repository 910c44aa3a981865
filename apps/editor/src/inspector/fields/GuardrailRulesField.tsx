import type { Problem } from '@trellis/schema';
import { useCallback, useState } from 'react';
import { moveItem } from '../branches';
import { useDraft, type CommitResult } from '../drafts';
import {
  changeType,
  newRule,
  parseNumber,
  parseTerms,
  PII_ENTITIES,
  PII_LABELS,
  readRules,
  RULE_TYPE_LABELS,
  RULE_TYPES,
  ruleName,
  ruleProblems,
  setField,
  termsText,
  toggleEntity,
  type RuleDraft,
  type RuleType,
} from '../guardrail-rules';
import { formatJson, parseJsonText } from '../json-text';
import { configPathOf } from '../problems';
import { helpId, Messages, messagesId, problemMessages, type FieldProps, type Message } from './FieldShell';

/** The store's problems about no rule in particular (a rule's own are checked live from the draft). */
function fieldProblems(problems: readonly Problem[], count: number, depth: number): Problem[] {
  return problems.filter((p) => {
    const at = configPathOf(p);
    const index = at && at.length > depth ? Number(at[depth]) : NaN;
    return !(index >= 0 && index < count);
  });
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? String(v) : '');

/** A select of fixed options, labelled. */
function Select({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: readonly string[]; onChange: (v: string) => void }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </>
  );
}

/** A number typed as text: kept in the field while it is not a number, written once it is. */
function NumberInput({ id, label, value, onChange, onBlur }: { id: string; label: string; value: unknown; onChange: (v: number | undefined) => void; onBlur: () => void }) {
  const [text, setText] = useState(num(value));
  // The value changed from outside (undo, another field): show it, unless the text already says it.
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    const typed = parseNumber(text);
    if (!(typed.ok && typed.value === value)) setText(num(value));
  }
  const bad = !parseNumber(text).ok;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        aria-invalid={bad || undefined}
        aria-describedby={bad ? `${id}-problem` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseNumber(e.target.value);
          if (parsed.ok) onChange(parsed.value);
        }}
        onBlur={onBlur}
      />
      {bad && (
        <p id={`${id}-problem`} className="inspector-message inspector-message-error">
          "{text}" is not a number; the rule keeps its last value until it is one.
        </p>
      )}
    </>
  );
}

/** A JSON Schema typed as text: written when it parses to an object. */
function SchemaInput({ id, value, onChange, onBlur }: { id: string; value: unknown; onChange: (v: unknown) => void; onBlur: () => void }) {
  const [text, setText] = useState(() => formatJson(value));
  const parsed = parseJsonText(text);
  const error = !parsed.ok ? parsed.error : typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value) ? 'a JSON Schema is an object' : undefined;
  return (
    <>
      <label htmlFor={id}>JSON Schema</label>
      <textarea
        id={id}
        className="inspector-expression"
        rows={Math.min(12, Math.max(3, text.split('\n').length))}
        spellCheck={false}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-problem` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const next = parseJsonText(e.target.value);
          if (next.ok && typeof next.value === 'object' && next.value !== null && !Array.isArray(next.value)) onChange(next.value);
        }}
        onBlur={onBlur}
      />
      {error && (
        <p id={`${id}-problem`} className="inspector-message inspector-message-error">
          {error}; the rule keeps its last schema until this is one.
        </p>
      )}
    </>
  );
}

/** The fields of one rule, by its type. */
function RuleFields({ rule, rowId, edit, flush }: { rule: RuleDraft; rowId: string; edit: (next: RuleDraft) => void; flush: () => void }) {
  const set = (key: string, value: unknown) => edit(setField(rule, key, value));
  const text = (key: string, label: string, placeholder?: string) => (
    <>
      <label htmlFor={`${rowId}-${key}`}>{label}</label>
      <input id={`${rowId}-${key}`} value={str(rule[key])} placeholder={placeholder} onChange={(e) => set(key, e.target.value)} onBlur={flush} />
    </>
  );
  const check = (key: string, label: string, fallback: boolean) => (
    <label htmlFor={`${rowId}-${key}`} className="inspector-check">
      <input id={`${rowId}-${key}`} type="checkbox" checked={typeof rule[key] === 'boolean' ? (rule[key] as boolean) : fallback} onChange={(e) => edit({ ...rule, [key]: e.target.checked })} />
      {label}
    </label>
  );
  const action = <Select id={`${rowId}-action`} label="When found" value={str(rule.action) || 'block'} options={['block', 'redact']} onChange={(v) => set('action', v)} />;
  switch (rule.type as RuleType) {
    case 'pii': {
      const chosen = new Set(Array.isArray(rule.entities) ? (rule.entities as string[]) : PII_ENTITIES);
      return (
        <>
          <fieldset className="inspector-rule-entities">
            <legend>Kinds of personal data</legend>
            {PII_ENTITIES.map((entity) => (
              <label key={entity} htmlFor={`${rowId}-entity-${entity}`} className="inspector-check">
                <input id={`${rowId}-entity-${entity}`} type="checkbox" checked={chosen.has(entity)} onChange={(e) => edit(toggleEntity(rule, entity, e.target.checked))} />
                {PII_LABELS[entity]}
              </label>
            ))}
          </fieldset>
          {action}
          {text('country', 'Country of numbers written without +', 'US')}
        </>
      );
    }
    case 'secrets':
      return action;
    case 'regex':
      return (
        <>
          <label htmlFor={`${rowId}-pattern`}>Pattern (RE2)</label>
          <input id={`${rowId}-pattern`} className="inspector-expression" spellCheck={false} value={str(rule.pattern)} onChange={(e) => set('pattern', e.target.value)} onBlur={flush} />
          <Select id={`${rowId}-mode`} label="Mode" value={str(rule.mode) || 'deny'} options={['deny', 'allow', 'redact']} onChange={(v) => set('mode', v)} />
          {check('caseInsensitive', 'Ignore case', false)}
          {rule.mode === 'redact' && text('replacement', 'Replacement', '[REDACTED]')}
        </>
      );
    case 'terms':
      return (
        <>
          <label htmlFor={`${rowId}-terms`}>Terms, one a line</label>
          <textarea
            id={`${rowId}-terms`}
            rows={Math.min(8, Math.max(2, termsText(rule).split('\n').length))}
            defaultValue={termsText(rule)}
            onChange={(e) => edit({ ...rule, terms: parseTerms(e.target.value) })}
            onBlur={flush}
          />
          {action}
          {check('wholeWords', 'Whole words only', true)}
          {rule.action === 'redact' && text('replacement', 'Replacement', '[REDACTED]')}
        </>
      );
    case 'length':
      return (
        <>
          <NumberInput id={`${rowId}-min`} label="Minimum" value={rule.min} onChange={(v) => set('min', v)} onBlur={flush} />
          <NumberInput id={`${rowId}-max`} label="Maximum" value={rule.max} onChange={(v) => set('max', v)} onBlur={flush} />
          <Select id={`${rowId}-unit`} label="Counted in" value={str(rule.unit) || 'characters'} options={['characters', 'words']} onChange={(v) => set('unit', v)} />
        </>
      );
    case 'schema':
      return <SchemaInput id={`${rowId}-schema`} value={rule.schema} onChange={(v) => set('schema', v)} onBlur={flush} />;
    case 'model':
      return (
        <>
          <Select id={`${rowId}-check`} label="Check" value={str(rule.check) || 'prompt_injection'} options={['prompt_injection', 'off_topic', 'custom']} onChange={(v) => set('check', v)} />
          {text('model', 'Model', 'openai:gpt-4.1-mini')}
          {rule.check === 'off_topic' && text('topic', 'Topic the text should be about')}
          {rule.check === 'custom' && (
            <>
              <label htmlFor={`${rowId}-criterion`}>Criterion the text must meet</label>
              <textarea id={`${rowId}-criterion`} rows={2} value={str(rule.criterion)} onChange={(e) => set('criterion', e.target.value)} onBlur={flush} />
            </>
          )}
          <NumberInput id={`${rowId}-threshold`} label="Fail at score (0 to 1)" value={rule.threshold} onChange={(v) => set('threshold', v)} onBlur={flush} />
        </>
      );
    default:
      return <p className="inspector-note">This rule's type is unknown here; pick a type above or edit it in the flow's JSON.</p>;
  }
}

/**
 * A guardrail's rules, checked in order: add, remove, reorder, and each rule's own fields by its
 * type. A rule's problems are checked live from the draft, as the loader will check them.
 */
export function GuardrailRulesField({ hint, value, write, problems, fieldId }: FieldProps) {
  const commit = useCallback(
    (draft: RuleDraft[]): CommitResult<unknown> => {
      write(draft);
      return { written: true, value: draft };
    },
    [write],
  );
  const { draft, change, flush, commitNow } = useDraft<unknown, RuleDraft[]>({ value, toDraft: readRules, commit });
  const [adding, setAdding] = useState<RuleType>('pii');
  const edit = (index: number, next: RuleDraft) => change(draft.map((r, i) => (i === index ? next : r)));
  const messages: Message[] = problemMessages(fieldProblems(problems, draft.length, hint.path.split('.').length));

  return (
    <div className="inspector-field inspector-branches">
      <div className="inspector-label" aria-hidden="true">
        {hint.label}
      </div>
      {hint.help && (
        <p id={helpId(fieldId)} className="inspector-help">
          {hint.help}
        </p>
      )}
      <ol className="inspector-branch-list">
        {draft.map((rule, i) => {
          const rowId = `${fieldId}-${i}`;
          const live = ruleProblems(rule).map((text) => ({ level: 'error' as const, text }));
          return (
            // A rule's type is part of its key: changing it starts its fields afresh.
            <li key={`${i}-${rule.type}`}>
              <fieldset className="inspector-branch">
                <legend>
                  Rule {i + 1}: {ruleName(rule)}
                </legend>
                <label htmlFor={`${rowId}-type`}>Type</label>
                <select id={`${rowId}-type`} value={rule.type} onChange={(e) => commitNow(draft.map((r, j) => (j === i ? changeType(r, e.target.value as RuleType) : r)))}>
                  {!RULE_TYPES.includes(rule.type as RuleType) && <option value={rule.type}>{rule.type || '(none)'}</option>}
                  {RULE_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {RULE_TYPE_LABELS[t]}
                    </option>
                  ))}
                </select>
                <label htmlFor={`${rowId}-label`}>Label</label>
                <input id={`${rowId}-label`} value={str(rule.label)} placeholder={ruleName({ ...rule, label: undefined })} onChange={(e) => edit(i, setField(rule, 'label', e.target.value))} onBlur={flush} />
                <RuleFields rule={rule} rowId={rowId} edit={(next) => edit(i, next)} flush={flush} />
                <Messages id={`${rowId}-messages`} messages={live} />
                <div className="inspector-row-actions">
                  <button type="button" disabled={i === 0} onClick={() => commitNow(moveItem(draft, i, i - 1))} aria-label={`Move rule ${i + 1} up`}>
                    Move up
                  </button>
                  <button type="button" disabled={i === draft.length - 1} onClick={() => commitNow(moveItem(draft, i, i + 1))} aria-label={`Move rule ${i + 1} down`}>
                    Move down
                  </button>
                  <button
                    type="button"
                    disabled={draft.length === 1}
                    title={draft.length === 1 ? 'A guardrail needs at least one rule' : undefined}
                    aria-label={`Remove rule ${i + 1}`}
                    onClick={() => commitNow(draft.filter((_, j) => j !== i))}
                  >
                    Remove rule
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="inspector-row-actions">
        <label htmlFor={`${fieldId}-new-type`}>New rule</label>
        <select id={`${fieldId}-new-type`} value={adding} onChange={(e) => setAdding(e.target.value as RuleType)}>
          {RULE_TYPES.map((t) => (
            <option key={t} value={t}>
              {RULE_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => commitNow([...draft, newRule(adding)])}>
          Add rule
        </button>
      </div>
      <Messages id={messagesId(fieldId)} messages={messages} />
    </div>
  );
}
