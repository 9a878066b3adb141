// What an application's client_secret_rotation says (GET /clients/{id}, Scopeward's extension;
// src/management/client-view.ts), in sentences: which secret — the current one, or the previous
// one replaced by the last rotation — last authenticated and when, and until when the previous one
// is still accepted. Pure, so that the wording is unit tested.
import { formatDate } from './format.ts';

export interface SecretRotation {
  previous_secret_expires_at?: string;
  last_used_secret?: 'current' | 'previous';
  last_used_at?: string;
  /** Each secret's own last use (issue 14: a use is never credited to a later secret). */
  current_secret_last_used_at?: string;
  previous_secret_last_used_at?: string;
}

export function rotationFacts(rotation: SecretRotation | undefined, now: number, timeZone?: string): string[] {
  if (!rotation) return [];
  const facts: string[] = [];
  const graceEnds = rotation.previous_secret_expires_at;
  const inGrace = graceEnds !== undefined && Date.parse(graceEnds) > now;
  const at = rotation.last_used_at ? ` on ${formatDate(rotation.last_used_at, timeZone)}` : '';
  if (rotation.last_used_secret === 'current') facts.push(`Last authenticated with the current secret${at}.`);
  else if (rotation.last_used_secret === 'previous') {
    facts.push(
      `Last authenticated with the previous secret (the one replaced by the last rotation)${at}: ${inGrace ? 'a service still uses it; update it before the old secret stops working.' : 'it is no longer accepted.'}`,
    );
  }
  // The previous secret authenticated last, but the current one has been used too: say when.
  if (rotation.last_used_secret === 'previous' && rotation.current_secret_last_used_at) {
    facts.push(`The current secret last authenticated on ${formatDate(rotation.current_secret_last_used_at, timeZone)}.`);
  }
  if (inGrace) facts.push(`The previous secret is still accepted until ${formatDate(graceEnds, timeZone)}.`);
  return facts;
}
