/** A name typed inline to save something under (a sample, a test case): Enter saves, Escape or Cancel leaves. */
export function NameForm({ label, value, onValue, submit, onSubmit, onCancel, maxLength = 100 }: { label: string; value: string; onValue: (value: string) => void; submit: string; onSubmit: () => void; onCancel: () => void; maxLength?: number }) {
  return (
    <form
      className="run-sample-name"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <label>
        {label}
        <input value={value} maxLength={maxLength} autoFocus onChange={(e) => onValue(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && onCancel()} />
      </label>
      <button type="submit">{submit}</button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** What saving said: a status line, or an alert when it could not. */
export function SaveMessage({ message }: { message: { text: string; error?: boolean | undefined } | undefined }) {
  if (!message) return null;
  return (
    <p role={message.error ? 'alert' : 'status'} className={message.error ? 'run-error' : 'note'}>
      {message.text}
    </p>
  );
}
