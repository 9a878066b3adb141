// Dates as the admin reads them: the browser's locale and time zone, with the ISO value kept for
// a tooltip. Pure (no React), shared by the Users, Logs, Signing keys and Debugger pages.

/** "29/11/2026, 14:05:09" in the admin's locale, or "—" for nothing, or the text itself if not a date. */
export function formatDate(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '—';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
