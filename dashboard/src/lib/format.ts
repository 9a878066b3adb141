// Dates as the admin reads them, one format everywhere (dashboard pages, the explorer, the
// debugger, explain.ts's sentences): "2026-12-08 16:19:28 CET" — ISO-like order, 24-hour clock,
// the browser's time zone named, so two pages never disagree and no instant reads without its
// zone. Pure (no React, no DOM), so unit tests can pin the zone.

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formats.set(key, format);
  }
  return format;
}

/** An instant as a Date: ISO text, or a number of seconds since the epoch (JWT NumericDate). */
function toDate(value: string | number): Date {
  return typeof value === 'number' ? new Date(value * 1000) : new Date(value);
}

/**
 * "2026-12-08 16:19:28 CET" in the browser's zone (or `timeZone`), "—" for nothing, or the text
 * itself when it is not a date. Numbers are seconds since the epoch.
 */
export function formatDate(value: string | number | undefined | null, timeZone?: string): string {
  if (value === undefined || value === null || value === '') return '—';
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const p = Object.fromEntries(formatter(timeZone).formatToParts(date).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/** The ISO value behind a formatted date, for a tooltip or <time dateTime>. */
export function isoOf(value: string | number): string {
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
