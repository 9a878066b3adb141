// Opens the database for CLI commands the way the server does (master key, migrations, canary,
// default tenant), and publishes changes so a server on the same PostgreSQL sees them at once.
import { postgresBus } from '../cache/bus.ts';
import { notifyingStorage } from '../cache/notifying-storage.ts';
import { checkCanary, loadMasterKey } from '../config/master-key.ts';
import type { Config } from '../config/schema.ts';
import { createEnvelope, type Envelope } from '../crypto/envelope.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { ensureDefaultTenant } from '../provisioning/default-tenant.ts';
import { ensureTenantSystemRecords } from '../provisioning/system-records.ts';
import { createStorage } from '../storage/kysely/index.ts';
import type { Storage, TenantRecord } from '../storage/ports.ts';

export interface CliStore {
  storage: Storage;
  envelope: Envelope;
  clock: Clock;
  defaultTenant: TenantRecord;
  close(): Promise<void>;
}

export async function openStore(config: Config): Promise<CliStore> {
  const envelope = createEnvelope(loadMasterKey(config).key);
  const raw = await createStorage(config.databaseUrl);
  const bus = config.databaseUrl.startsWith('postgres') ? await postgresBus(config.databaseUrl, { onError: () => undefined }) : undefined;
  const storage = bus ? notifyingStorage(raw, (e) => bus.publish(e)) : raw;
  try {
    await checkCanary(storage.meta, envelope);
    const defaultTenant = await ensureDefaultTenant(storage, envelope, systemClock, config.domain, 'keep');
    await ensureTenantSystemRecords(storage, envelope, systemClock);
    return {
      storage,
      envelope,
      clock: systemClock,
      defaultTenant,
      async close() {
        await bus?.close();
        await raw.close();
      },
    };
  } catch (error) {
    await bus?.close();
    await raw.close();
    throw error;
  }
}

/** Prints JSON for scripts, or lines for people. */
export function print(json: boolean, value: unknown, lines: string[]): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${lines.join('\n')}\n`);
}
