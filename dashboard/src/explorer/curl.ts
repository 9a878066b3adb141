// "Copy curl" must run as pasted (issue 14): against a server whose certificate is signed by
// Scopeward's local CA, curl needs `--cacert` with that CA, whose path the server's config.json
// gives (ca_cert_path). Added only for the server that serves this page: `--cacert` replaces
// curl's trust store, so it would break a call to a server with a publicly trusted certificate.

/** A POSIX shell word for any text. */
const shellWord = (text: string): string => (/^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** `curl …` → `curl --cacert PATH …` when a CA path is given. */
export function withCaCert(curl: string, caCertPath: string | undefined): string {
  if (!caCertPath || !/^curl\s/.test(curl)) return curl;
  return `curl --cacert ${shellWord(caCertPath)}${curl.slice('curl'.length)}`;
}

let pending: Promise<string | undefined> | undefined;

/** The local CA path of the server that serves this page, when it uses one (asked once). */
export function localCaCertPath(): Promise<string | undefined> {
  pending ??= fetch('/dashboard/config.json', { credentials: 'omit' })
    .then((response) => (response.ok ? (response.json() as Promise<{ ca_cert_path?: unknown }>) : undefined))
    .then((config) => (typeof config?.ca_cert_path === 'string' ? config.ca_cert_path : undefined))
    .catch(() => undefined);
  return pending;
}
