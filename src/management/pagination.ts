// Page/per_page/include_totals and from/take (spec §3.4). Pages past the data are empty, never an
// error: the v5+ SDK iterates until it receives an empty page. Their bounds are in the shared query
// schemas (schemas/common.ts); searches add Auth0's window of the first 1000 results.
import type { Cursor, PageRequest } from '../storage/ports.ts';
import { badRequest, ERROR_CODE } from './errors.ts';

export interface PageQuery {
  page?: number;
  per_page?: number;
  include_totals?: boolean;
}

export interface Page extends PageRequest {
  includeTotals: boolean;
}

export const DEFAULT_PER_PAGE = 50;

/** Auth0 pages through the first 1000 results of a search (users, logs), no further. */
export const SEARCH_WINDOW = 1000;

/**
 * The page a list route answers. With `window`, a page reaching past the first `window.size`
 * results is refused with `window.message` (Auth0's search limit), not answered empty.
 */
export function pageOf(query: PageQuery, window?: { size: number; message: string }): Page {
  const perPage = query.per_page ?? DEFAULT_PER_PAGE;
  const page = query.page ?? 0;
  const includeTotals = query.include_totals === true;
  const offset = page * perPage;
  if (window && offset + perPage > window.size) throw badRequest(window.message, ERROR_CODE.invalidQuery);
  return { offset, limit: perPage, withTotal: includeTotals, includeTotals };
}

/** A bare array, or the object form `{start, limit, total, <key>}` when include_totals=true. */
export function listBody(key: string, items: unknown[], page: Page, total: number | undefined): unknown {
  if (!page.includeTotals) return items;
  return { start: page.offset, limit: page.limit, total: total ?? items.length, [key]: items };
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(from: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(from, 'base64url').toString('utf8')) as unknown;
    // Control characters never occur in stored values, and a NUL would reach PostgreSQL as an error.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
    const clean = (v: unknown): v is string => typeof v === 'string' && !/[\u0000-\u001f]/.test(v);
    if (Array.isArray(value) && value.length === 2 && clean(value[0]) && clean(value[1])) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // Fall through to the error below.
  }
  throw badRequest("Query validation error: 'Invalid checkpoint' on property from.", ERROR_CODE.invalidQuery);
}
