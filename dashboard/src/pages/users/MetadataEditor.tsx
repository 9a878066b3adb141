// user_metadata or app_metadata edited as JSON. The textarea holds the whole object; Save sends
// only the difference (json-edit.ts), because the API merges at the root and deletes null keys.
import { useCallback, useEffect, useId, useState } from 'react';
import { formatJson, metadataPatch, parseJsonObject } from '../../lib/json-edit.ts';
import { Button, ErrorBanner, Notice } from '../../components/ui.tsx';

export function MetadataEditor({ field, value, description, onSave }: {
  field: 'user_metadata' | 'app_metadata';
  value: Record<string, unknown> | undefined;
  description: string;
  onSave: (patch: Record<string, unknown>) => Promise<unknown>;
}) {
  const original = formatJson(value ?? {});
  const [text, setText] = useState(original);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const id = useId();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  // A saved (or reloaded) user replaces what the editor shows.
  useEffect(() => setText(original), [original]);

  const parsed = parseJsonObject(text);
  const patch = parsed.ok ? metadataPatch(value ?? {}, parsed.value) : undefined;
  const changed = patch !== undefined && Object.keys(patch).length > 0;

  const save = () => {
    if (!patch || !changed) return;
    setBusy(true);
    setError(undefined);
    onSave(patch).then(
      () => {
        setBusy(false);
        setNotice(`${field} saved.`);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  return (
    <section className="panel metadata-editor" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{field === 'user_metadata' ? 'User metadata' : 'App metadata'}</h2>
      <p className="hint">{description}</p>
      <div className="field field-wide">
        <label htmlFor={`${id}-text`}>{field} (JSON)</label>
        <textarea
          id={`${id}-text`}
          className="mono json-editor"
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          aria-invalid={!parsed.ok}
          aria-describedby={`${id}-help ${id}-error`}
          rows={Math.min(20, Math.max(5, text.split('\n').length + 1))}
        />
        <p className="hint" id={`${id}-help`}>
          Edit the whole object. Saving sends only what changed: the API merges at the root, so a nested object is replaced whole, and a key you remove (or set to <code>null</code>) is sent as <code>null</code>, which deletes it.
        </p>
        <p className="field-error" id={`${id}-error`} role="alert">
          {parsed.ok ? '' : parsed.error}
        </p>
      </div>
      {changed && (
        <details className="request-preview">
          <summary>Request body</summary>
          <pre>{formatJson({ [field]: patch })}</pre>
        </details>
      )}
      <ErrorBanner error={error} />
      <Notice text={notice} onDone={clearNotice} />
      <div className="form-actions">
        <Button variant="primary" onClick={save} disabled={!changed || busy}>
          {busy ? 'Saving…' : `Save ${field}`}
        </Button>
        <Button onClick={() => setText(original)} disabled={text === original || busy}>
          Discard changes
        </Button>
      </div>
    </section>
  );
}
