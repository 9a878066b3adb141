// How /authorize answers the client (spec §2.5 table): a 302 with the fields in the query or the
// fragment, an auto-posting form (form_post), or a page that posts a message to the opener or
// parent window (web_message, spec §0 row 9). Framework-free: http/ renders the pages.
import type { ResponseMode } from './request.ts';

export type AuthorizeResponse =
  | { kind: 'redirect'; location: string }
  | { kind: 'form_post'; action: string; fields: [string, string][] }
  | { kind: 'web_message'; targetOrigin: string; response: Record<string, string> };

export interface ResponseTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | undefined;
}

/** `fields` plus the request's state, delivered in the request's mode. */
export function respond(target: ResponseTarget, fields: Record<string, string>): AuthorizeResponse {
  const all: Record<string, string> = { ...fields, ...(target.state !== undefined && { state: target.state }) };
  switch (target.responseMode) {
    case 'query':
    case 'fragment': {
      const encoded = new URLSearchParams(all).toString();
      if (target.responseMode === 'fragment') return { kind: 'redirect', location: `${target.redirectUri}#${encoded}` };
      const separator = target.redirectUri.includes('?') ? '&' : '?';
      return { kind: 'redirect', location: `${target.redirectUri}${separator}${encoded}` };
    }
    case 'form_post':
      return { kind: 'form_post', action: target.redirectUri, fields: Object.entries(all) };
    case 'web_message':
      return { kind: 'web_message', targetOrigin: new URL(target.redirectUri).origin, response: all };
  }
}

export function respondWithError(target: ResponseTarget, error: string, description: string): AuthorizeResponse {
  return respond(target, { error, error_description: description });
}

