// One log event in full (GET /api/v2/logs/{id}), in a modal dialog: Esc or Close returns to the list.
import { useEffect, useId, useRef } from 'react';
import { seg } from '../../lib/api.ts';
import { formatJson } from '../../lib/json-edit.ts';
import { describeLogType } from '../../lib/log-filter.ts';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { Button, CopyButton, ErrorBanner, Loading } from '../../components/ui.tsx';
import type { LogEntry } from './log-wire.ts';

export function LogDetail({ logId, onClose }: { logId: string; onClose: () => void }) {
  const { api } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { data, error, loading } = useAsync(() => api.get<LogEntry>(`/logs/${seg(logId)}`), [api, logId]);
  useEffect(() => {
    const d = dialog.current;
    // Unmounting removes the dialog, which ends the modal state; no close() here (it would fire onClose).
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="confirm log-detail" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{data ? describeLogType(data.type) : 'Log event'}</h2>
      {loading && <Loading />}
      <ErrorBanner error={error} />
      {data && <pre className="raw-json">{formatJson(data)}</pre>}
      <div className="confirm-actions">
        {data && <CopyButton value={formatJson(data)} label="Copy JSON" />}
        <Button onClick={() => dialog.current?.close()} autoFocus>
          Close
        </Button>
      </div>
    </dialog>
  );
}
