// Auth0 log ids are 56-digit strings that sort by time (spec §3.5.9). Ours: "900", the UTC time to
// the millisecond (17 digits), a per-process counter (6 digits) and 30 random digits, so ids from
// several processes in the same millisecond still sort and never collide.
import { randomInt } from 'node:crypto';

let counter = 0;

function randomDigits(n: number): string {
  let out = '';
  while (out.length < n) out += String(randomInt(1_000_000_000)).padStart(9, '0');
  return out.slice(0, n);
}

export function newLogId(date: Date): string {
  const stamp = date.toISOString().replace(/\D/g, '').slice(0, 17);
  counter = (counter + 1) % 1_000_000;
  return `900${stamp}${String(counter).padStart(6, '0')}${randomDigits(30)}`;
}
