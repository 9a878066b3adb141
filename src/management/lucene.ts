// The Lucene query-string skeleton shared by GET /logs (log-query.ts) and GET /users
// (user-query.ts): terms, quoted values, [a TO b] ranges, AND/OR/NOT (upper case only, as Auth0
// requires), implicit AND and parentheses. Each caller compiles the terms of its own fields.
// Both passes are bounded: the tokenizer is one linear scan, and the parser refuses to nest
// deeper than `maxDepth` before recursing further, so 10,000 parentheses cost nothing.

export type Token = { kind: 'word'; value: string } | { kind: 'op'; value: 'AND' | 'OR' | 'NOT' | '(' | ')' };

export interface TokenizeOptions {
  /** `\x` keeps x inside a term or a quoted value (the users' syntax); off for logs. */
  escapes?: boolean;
  fail(message: string): Error;
}

const isSpace = (c: string): boolean => /\s/.test(c);

/** Splits `q` into words and operators. A word runs to whitespace or a parenthesis, except inside quotes and ranges. */
export function tokenize(q: string, options: TokenizeOptions): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    const start = i;
    while (i < q.length && !isSpace(q[i]!) && q[i] !== '(' && q[i] !== ')') {
      const ch = q[i]!;
      if (ch === '\\' && options.escapes) {
        if (i + 1 >= q.length) throw options.fail('the query ends with a lone backslash');
        i += 2;
      } else if (ch === '"') {
        i = closingQuote(q, i, options);
      } else if (ch === '[' || ch === '{') {
        let end = i + 1;
        while (end < q.length && q[end] !== ']' && q[end] !== '}') end++;
        if (end >= q.length) throw options.fail('unterminated range');
        i = end + 1;
      } else {
        i++;
      }
    }
    const word = q.slice(start, i);
    if (word === 'AND' || word === 'OR' || word === 'NOT') tokens.push({ kind: 'op', value: word });
    else tokens.push({ kind: 'word', value: word });
  }
  return tokens;
}

/** The index just after the quote that closes the one at `open`. */
function closingQuote(q: string, open: number, options: TokenizeOptions): number {
  let j = open + 1;
  while (j < q.length && q[j] !== '"') j += q[j] === '\\' && options.escapes ? 2 : 1;
  if (j >= q.length) throw options.fail('unterminated quoted value');
  return j + 1;
}

export interface BooleanGrammar<T> {
  term(word: string): T;
  and(parts: T[]): T;
  or(parts: T[]): T;
  not(inner: T): T;
  /** Parentheses and NOT chains deeper than this are refused. */
  maxDepth: number;
  /** At most this many terms (unbounded when absent). */
  maxTerms?: number;
  fail(message: string): Error;
}

/**
 * or := and ("OR" and)* ; and := unary (["AND"] unary)* ; unary := "NOT" unary | "(" or ")" | term.
 * Undefined for an empty query.
 */
export function parseBoolean<T>(tokens: Token[], g: BooleanGrammar<T>): T | undefined {
  if (tokens.length === 0) return undefined;
  let pos = 0;
  let terms = 0;
  const peek = () => tokens[pos];

  const parseOr = (depth: number): T => {
    if (depth > g.maxDepth) throw g.fail('the query nests too deeply');
    const parts = [parseAnd(depth)];
    while (peek()?.kind === 'op' && peek()!.value === 'OR') {
      pos++;
      parts.push(parseAnd(depth));
    }
    return parts.length === 1 ? parts[0]! : g.or(parts);
  };
  const parseAnd = (depth: number): T => {
    const parts = [parseUnary(depth)];
    for (;;) {
      const t = peek();
      if (!t || (t.kind === 'op' && (t.value === 'OR' || t.value === ')'))) break;
      if (t.kind === 'op' && t.value === 'AND') pos++;
      parts.push(parseUnary(depth));
    }
    return parts.length === 1 ? parts[0]! : g.and(parts);
  };
  const parseUnary = (depth: number): T => {
    const t = tokens[pos++];
    if (!t) throw g.fail('the query ends where a term was expected');
    if (t.kind === 'op' && t.value === 'NOT') {
      // A chain of NOTs nests as deeply as parentheses do, so it meets the same bound.
      if (depth + 1 > g.maxDepth) throw g.fail('the query nests too deeply');
      return g.not(parseUnary(depth + 1));
    }
    if (t.kind === 'op' && t.value === '(') {
      const inner = parseOr(depth + 1);
      if (tokens[pos++]?.value !== ')') throw g.fail('a parenthesis is not closed');
      return inner;
    }
    if (t.kind === 'op') throw g.fail(`unexpected ${t.value}`);
    if (g.maxTerms !== undefined && ++terms > g.maxTerms) throw g.fail(`the query has more than ${g.maxTerms} terms`);
    return g.term(t.value);
  };

  const result = parseOr(0);
  if (pos < tokens.length) throw g.fail(`unexpected ${tokens[pos]!.value.slice(0, 40)}`);
  return result;
}
