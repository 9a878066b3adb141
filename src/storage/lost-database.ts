// The last line of defence for R1 (issue 10): a promise rejected because the database went away,
// which some code path forgot to catch, must not end the process (Node turns an unhandled
// rejection into a crash). Every known path catches its own; this only keeps a future slip from
// becoming an outage of the whole server. Any other unhandled rejection keeps Node's behaviour.
import { mapStorageError, StorageUnavailable } from './errors.ts';

export function unhandledRejectionGuard(report: (reason: unknown) => void): (reason: unknown) => void {
  return (reason) => {
    if (mapStorageError(reason) instanceof StorageUnavailable) {
      report(reason);
      return;
    }
    // Thrown from the listener, it ends the process as an uncaught exception, as without one.
    throw reason;
  };
}
