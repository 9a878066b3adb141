// The dashboard's building blocks. Every page uses these, so that buttons, confirmations, secrets
// and errors look and behave the same everywhere (keyboard reachable, readable when narrow).
import { useEffect, useId, useRef, useState, type ButtonHTMLAttributes, type KeyboardEvent, type ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';

export function Page({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page">
      <header className="page-header">
        <h1>{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

type Variant = 'primary' | 'secondary' | 'danger';

export function Button({ variant = 'secondary', className, ...rest }: { variant?: Variant } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button type="button" className={`btn btn-${variant}${className ? ` ${className}` : ''}`} {...rest} />;
}

/** Copies `value` to the clipboard; says "Copied" for a moment. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard.writeText(value).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <Button onClick={copy} aria-label={label}>
      {copied ? 'Copied' : label}
    </Button>
  );
}

/** A secret that stays out of the page until the user asks: `load` runs only on "Reveal". */
export function Secret({ label, load }: { label: string; load: () => Promise<string> }) {
  const [value, setValue] = useState<string>();
  const [error, setError] = useState<unknown>();
  const reveal = () => load().then(setValue, setError);
  return (
    <div className="secret" aria-label={label}>
      <code className="secret-value">{value ?? '••••••••••••••••'}</code>
      {value === undefined ? <Button onClick={() => void reveal()}>Reveal</Button> : <><CopyButton value={value} /><Button onClick={() => setValue(undefined)}>Hide</Button></>}
      <ErrorBanner error={error} />
    </div>
  );
}

/** A modal confirmation shown while `open`; closing it any way (Esc, Cancel) calls onClose. */
export function ConfirmDialog({ open, title, body, confirmLabel, onConfirm, onClose, variant = 'danger', confirmDisabled }: {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  variant?: Variant;
  /** Keeps the confirm button off until the user has done what the body asks (e.g. typed a name). */
  confirmDisabled?: boolean;
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
        <Button variant={variant} disabled={busy || confirmDisabled} onClick={confirm}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}

/** A button that asks before doing something that cannot be undone. */
export function ConfirmButton({ label, title, body, confirmLabel, onConfirm, variant = 'danger', disabled, confirmDisabled }: {
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  variant?: Variant;
  disabled?: boolean;
  confirmDisabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={variant} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <ConfirmDialog open={open} title={title} body={body} confirmLabel={confirmLabel} onConfirm={onConfirm} onClose={() => setOpen(false)} variant={variant} confirmDisabled={confirmDisabled} />
    </>
  );
}

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

/** Shows an error as a sentence: the Management API's message when there is one. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const text = error instanceof ApiError ? `${error.message}${error.body?.errorCode ? ` (${error.body.errorCode})` : ''}` : error instanceof Error ? error.message : typeof error === 'string' ? error : 'Something went wrong.';
  return (
    <p className="error-banner" role="alert">
      {text}
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p className="loading" aria-live="polite">
      Loading…
    </p>
  );
}

export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

/**
 * WAI-ARIA tabs: each tab names the panel it controls (`${idOf(id)}-panel`), and the page renders
 * that panel with role=tabpanel, that id and aria-labelledby={idOf(id)}. Arrow keys move between tabs.
 */
export function Tabs({ tabs, active, onChange, idOf }: { tabs: { id: string; label: string }[]; active: string; onChange: (id: string) => void; idOf: (id: string) => string }) {
  const move = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const at = tabs.findIndex((t) => t.id === active);
    const next = tabs[(at + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    if (!next) return;
    e.preventDefault();
    onChange(next.id);
    document.getElementById(idOf(next.id))?.focus();
  };
  return (
    <div className="tabs" role="tablist" onKeyDown={move}>
      {tabs.map((t) => (
        <button
          key={t.id}
          id={idOf(t.id)}
          type="button"
          role="tab"
          aria-selected={t.id === active}
          aria-controls={`${idOf(t.id)}-panel`}
          tabIndex={t.id === active ? 0 : -1}
          className={t.id === active ? 'tab active' : 'tab'}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** Disappears after a few seconds; for "Saved" and similar. */
export function Notice({ text, onDone }: { text: string | undefined; onDone: () => void }) {
  useEffect(() => {
    if (!text) return;
    const t = setTimeout(onDone, 3000);
    return () => clearTimeout(t);
  }, [text, onDone]);
  return text ? (
    <p className="notice" role="status">
      {text}
    </p>
  ) : null;
}
