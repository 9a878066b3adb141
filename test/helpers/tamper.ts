// A tampered copy of a token, a sealed secret or any base64url-bearing string, for tests that must
// see it refused. Replacing the last characters is not enough: once in a while they already are
// the replacement, and a base64 string's last character can carry unused bits, so a change there
// may decode to the same bytes. One character in the middle always carries six bits of data.
// A JWT keeps its header and claims: the middle of its signature is changed.
export function tamper(value: string): string {
  const parts = value.split('.');
  if (parts.length === 3) return [parts[0], parts[1], tamper(parts[2]!)].join('.');
  let at = Math.floor(value.length / 2);
  while (at < value.length && !/[A-Za-z0-9_-]/.test(value[at]!)) at++;
  if (at >= value.length) throw new Error('tamper: no base64url character to change');
  return `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;
}
