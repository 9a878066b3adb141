// Auth0's "type the name to confirm" before a delete. (ConfirmDialog, the dialog without its own
// button, lives in ui.tsx beside ConfirmButton, which is built on it; re-exported here.)
import { useId, useState } from 'react';
import { ConfirmButton } from './ui.tsx';

export { ConfirmDialog } from './ui.tsx';

/** Delete with Auth0's safeguard: the confirm button stays off until the exact name is typed. */
export function TypedDeleteButton({ label, what, name, onDelete }: { label: string; what: string; name: string; onDelete: () => Promise<unknown> }) {
  const [typed, setTyped] = useState('');
  const inputId = useId();
  return (
    <ConfirmButton
      label={label}
      title={`Delete ${what}?`}
      confirmLabel="Delete"
      confirmDisabled={typed !== name}
      onConfirm={onDelete}
      body={
        <>
          <p>
            This deletes <strong>{name}</strong> at once; it cannot be undone.
          </p>
          <div className="field">
            <label htmlFor={inputId}>Type the {what} name to confirm</label>
            <input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </div>
        </>
      }
    />
  );
}
