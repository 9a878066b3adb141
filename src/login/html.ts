// HTML for our pages: every interpolated value is escaped unless it is already Html (made by this
// tag), so user- and client-controlled text is always inert (T-UI-09/10). Inline scripts and
// styles carry the response's CSP nonce; nothing uses inline event handlers (T-UI-08).

export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError('html: only strings, numbers, Html and arrays of them can be interpolated');
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/**
 * A value as a JavaScript literal inside an inline <script>: JSON with every character that could
 * end the script or the string (`<`, `>`, `&`, U+2028/2029) escaped.
 */
export function scriptLiteral(value: unknown): Html {
  const json = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new Html(json);
}

/** A page as http/ sends it: the body and what its Content-Security-Policy must allow. */
export interface Page {
  status: number;
  body: Html;
  nonce: string;
  /** Origins a form on the page may post to (besides our own), including after redirects. */
  formAction?: string[];
  /** An origin allowed to frame the page (web_message iframes); otherwise none may. */
  frameAncestor?: string;
}
