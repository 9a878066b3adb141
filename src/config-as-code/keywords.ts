// The Deploy CLI's keyword replacement (AUTH0_KEYWORD_REPLACE_MAPPINGS), applied to the file's
// text before it is parsed, as `a0deploy import` does: `##KEY##` becomes the value as text
// (inside a string or standing alone), and `@@KEY@@` (quoted or not) becomes the value as JSON,
// which YAML reads as a list or an object. A marker left without a value is an error here (the
// Deploy CLI would send it as is): a literal `##CALLBACK_URL##` would only fail later, or worse,
// be stored.

export type KeywordMappings = Record<string, unknown>;

const KEY = /^[A-Za-z0-9_]+$/;
const escape = (key: string) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function replaceKeywords(text: string, mappings: KeywordMappings): string {
  let out = text;
  for (const [key, value] of Object.entries(mappings)) {
    const k = escape(key);
    // Replacement functions, so `$&` and friends in a value stay literal.
    out = out.replace(new RegExp(`'@@${k}@@'|"@@${k}@@"|@@${k}@@`, 'g'), () => JSON.stringify(value));
    out = out.replace(new RegExp(`##${k}##`, 'g'), () => (typeof value === 'string' ? value : JSON.stringify(value)));
  }
  return out;
}

/** Markers still in `text` once every mapping is applied, each once, in order of appearance. */
export function leftoverKeywords(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/##([A-Za-z0-9_]+)##|@@([A-Za-z0-9_]+)@@/g)) found.add(m[0]);
  return [...found];
}

export class KeywordError extends Error {
  override name = 'KeywordError';
}

/**
 * `KEY=VALUE` from the command line. A value that is a JSON list or object is taken as one (for
 * `@@KEY@@`); anything else is text. `KEY` alone takes the value of the environment variable KEY,
 * so that a secret need not appear in a command line (process listings, shell history).
 */
export function parseKeywordFlag(flag: string, env: NodeJS.ProcessEnv = process.env): [string, unknown] {
  const at = flag.indexOf('=');
  const key = at < 0 ? flag : flag.slice(0, at);
  if (!KEY.test(key)) throw new KeywordError(`--keyword ${flag}: expected KEY=VALUE or KEY, KEY made of letters, digits and _`);
  if (at < 0 && env[key] === undefined) throw new KeywordError(`--keyword ${key}: no value given and no environment variable ${key}`);
  const raw = at < 0 ? env[key]! : flag.slice(at + 1);
  if (/^\s*[[{]/.test(raw)) {
    try {
      return [key, JSON.parse(raw) as unknown];
    } catch {
      // Not JSON after all: text.
    }
  }
  return [key, raw];
}

/**
 * A mapping file: either the mapping itself (`{"KEY": "value"}`) or a Deploy CLI config file whose
 * AUTH0_KEYWORD_REPLACE_MAPPINGS holds it, so the config a0deploy uses works here unchanged.
 */
export function mappingsFromJson(text: string, origin: string): KeywordMappings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KeywordError(`${origin}: not valid JSON (${(error as Error).message})`);
  }
  const inner = parsed && typeof parsed === 'object' && 'AUTH0_KEYWORD_REPLACE_MAPPINGS' in parsed ? (parsed as Record<string, unknown>).AUTH0_KEYWORD_REPLACE_MAPPINGS : parsed;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new KeywordError(`${origin}: expected an object of KEY: value pairs`);
  for (const key of Object.keys(inner)) if (!KEY.test(key)) throw new KeywordError(`${origin}: keyword "${key}" must be made of letters, digits and _`);
  return inner as KeywordMappings;
}
