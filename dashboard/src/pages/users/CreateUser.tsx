// "Create user": POST /api/v2/users on a database connection. The server checks the email, the
// password policy and duplicates; its message is shown as it comes (e.g. "PasswordStrengthError").
import { useState, type FormEvent } from 'react';
import { useSession } from '../../lib/session.tsx';
import { Button, ErrorBanner, Field } from '../../components/ui.tsx';
import { DEFAULT_CONNECTION, type User } from './user-wire.ts';

export function CreateUser({ onCancel, onCreated }: { onCancel: () => void; onCreated: (userId: string) => void }) {
  const { api } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [connection, setConnection] = useState(DEFAULT_CONNECTION);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api.post<User>('/users', { email: email.trim(), password, connection: connection.trim() }).then(
      (user) => onCreated(user.user_id),
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  return (
    // noValidate: the server's checks (email, password policy) are the ones that count, and its
    // messages say more than the browser's.
    <form className="panel" onSubmit={submit} aria-labelledby="create-user-title" noValidate>
      <h2 id="create-user-title">Create user</h2>
      <Field label="Email">{(id) => <input id={id} name="email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />}</Field>
      <Field label="Password" hint="The connection's password policy applies.">
        {(id) => <input id={id} name="password" type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <Field label="Connection" hint="A database connection of this tenant.">
        {(id) => <input id={id} name="connection" required value={connection} onChange={(e) => setConnection(e.target.value)} spellCheck={false} />}
      </Field>
      <ErrorBanner error={error} />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={busy || email.trim() === '' || password === ''}>
          {busy ? 'Creating…' : 'Create'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
