// Confirmations the plain ConfirmButton cannot express: a dialog opened by something other than a
// button (unticking "Authorized"), and Auth0's "type the name to confirm" before a delete.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button, ConfirmButton, ErrorBanner } from './ui.tsx';

/** A modal confirmation shown while `open`; closing it any way (Esc, Cancel) calls onClose. */
export function ConfirmDialog({ open, title, body, confirmLabel, onConfirm, onClose }: {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const titleId = useId();
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      setError(undefined);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);
  const confirm = () => {
    setBusy(true);
    setError(undefined);
    onConfirm().then(
      () => {
        setBusy(false);
        onClose();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <dialog ref={dialog} className="confirm" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      <div className="confirm-body">{body}</div>
      <ErrorBanner error={error} />
      <div className="confirm-actions">
        <Button onClick={onClose} autoFocus>
          Cancel
        </Button>
        <Button variant="danger" disabled={busy} onClick={confirm}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}

/**
 * Delete with Auth0's safeguard: the confirm button refuses until the exact name is typed. The
 * check lives in onConfirm because ConfirmButton has no "disabled until" hook; the message says why.
 */
export function TypedDeleteButton({ label, what, name, onDelete }: { label: string; what: string; name: string; onDelete: () => Promise<unknown> }) {
  const [typed, setTyped] = useState('');
  const inputId = useId();
  return (
    <ConfirmButton
      label={label}
      title={`Delete ${what}?`}
      confirmLabel="Delete"
      onConfirm={() => (typed === name ? onDelete() : Promise.reject(new Error(`Type the ${what} name exactly to confirm.`)))}
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
