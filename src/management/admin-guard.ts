// Administrators are read-only through the Management API (decision 0006): a token that may
// change users could otherwise take over an administrator (a new password, a new email, linking
// it away) and with it the dashboard. Reading stays allowed; `scopeward admins` is the way in.
import { isAdmin } from '../domain/admins.ts';
import type { Storage } from '../storage/ports.ts';
import { ERROR_CODE, ManagementError, TEXT } from './errors.ts';

/** Throws 403 operation_not_supported when any of the users is an administrator of the tenant. */
export async function refuseAdmins(storage: Storage, tenantId: string, userIds: readonly string[]): Promise<void> {
  for (const userId of userIds) {
    if (await isAdmin(storage, tenantId, userId)) throw new ManagementError(403, TEXT.adminReadOnly, { errorCode: ERROR_CODE.operationNotSupported });
  }
}
