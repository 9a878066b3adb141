// A Swagger UI plugin, so that scopes are part of the library's own rendering: under every
// operation's summary, its required scopes (`x-scopes`, `x-current-user-scopes`) as badges
// coloured against the token's scopes; above every live response to a refused call, a plain
// sentence saying why (lib/explain.ts) and a "Copy curl" button for the exact request sent.
// Swagger UI brings its own React, so components here are made with `system.React`, not JSX.
import type { ComponentType } from 'react';
import type { ImmutableValue, SwaggerPlugin, SwaggerSystem } from 'swagger-ui-dist/swagger-ui-bundle.js';
import { explain, parseRejection, REJECTION_HEADER } from '../lib/explain.ts';
import { decodeJwt } from '../lib/jwt.ts';
import { isExpired, type ExplorerStore, type ExplorerToken } from './token-store.ts';
import { localCaCertPath, withCaCert } from './curl.ts';

export interface OperationScopes {
  scopes: string[];
  mode: 'any' | 'all';
  currentUser: string[];
}

/** Whether the token can make the call: for anyone, only for its own user, or not at all (expired: nothing). */
export type Access = 'allowed' | 'own-user' | 'denied' | 'no-token' | 'expired';

/** How one badge reads: its colour class and its accessible word. */
export type BadgeState = 'granted' | 'missing' | 'not needed' | 'no token' | 'token expired';

export function accessOf(op: OperationScopes, state: ExplorerToken, now = Date.now()): Access {
  if (!state.token) return 'no-token';
  // An expired token is refused (401) whatever its scopes: nothing may look allowed.
  if (isExpired(state, now)) return 'expired';
  const has = (s: string) => state.granted.has(s);
  if (op.mode === 'all' ? op.scopes.every(has) : op.scopes.some(has)) return 'allowed';
  return op.currentUser.some(has) ? 'own-user' : 'denied';
}

/** A held scope is granted; one not held is missing only when the call is refused (and "all" needs it). */
export function badgeState(scope: string, access: Access, state: ExplorerToken, currentUser = false): BadgeState {
  if (access === 'no-token') return 'no token';
  if (access === 'expired') return 'token expired';
  if (state.granted.has(scope)) return 'granted';
  return access === 'denied' && !currentUser ? 'missing' : 'not needed';
}

const CLASS: Record<BadgeState, string> = { granted: 'badge scope-ok', missing: 'badge scope-missing', 'not needed': 'badge', 'no token': 'badge', 'token expired': 'badge scope-expired' };

const isImmutable = (v: unknown): v is ImmutableValue => v !== null && typeof v === 'object' && typeof (v as ImmutableValue).get === 'function';

function strings(value: unknown): string[] {
  const plain = isImmutable(value) ? value.toJS() : value;
  return Array.isArray(plain) ? plain.filter((s): s is string => typeof s === 'string') : [];
}

function scopesOf(op: unknown): OperationScopes | undefined {
  if (!isImmutable(op)) return undefined;
  const scopes = strings(op.get('x-scopes'));
  if (scopes.length === 0) return undefined;
  return { scopes, mode: op.get('x-scope-mode') === 'all' ? 'all' : 'any', currentUser: strings(op.get('x-current-user-scopes')) };
}

function parseBody(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Props = Record<string, unknown>;

export function scopePlugin(store: ExplorerStore): (system: SwaggerSystem) => SwaggerPlugin {
  return (system) => {
    const React = system.React;
    const h = React.createElement;
    const useToken = () => React.useSyncExternalStore(store.subscribe, store.get);
    const operationScopes = (path: unknown, method: unknown) =>
      typeof path === 'string' && typeof method === 'string' ? scopesOf(system.specSelectors.specJson().getIn(['paths', path, method])) : undefined;

    function Badges({ op }: { op: OperationScopes }) {
      const state = useToken();
      const access = accessOf(op, state);
      const badge = (scope: string, currentUser: boolean) => {
        const word = badgeState(scope, access, state, currentUser);
        return h('span', { key: `${currentUser ? 'cu' : 'op'}:${scope}`, className: CLASS[word], title: word, 'aria-label': `${scope} (${word})` }, scope);
      };
      return h(
        'div',
        { className: 'scope-badges', 'data-access': access },
        h('span', { className: 'scope-label' }, op.scopes.length === 1 ? 'Scope:' : op.mode === 'all' ? 'Scopes (all of):' : 'Scopes (any of):'),
        ...op.scopes.map((s) => badge(s, false)),
        ...(op.currentUser.length ? [h('span', { key: 'cu-label', className: 'scope-label' }, "token's own user only:"), ...op.currentUser.map((s) => badge(s, true))] : []),
      );
    }

    function CopyCurl({ curl }: { curl: string }) {
      const [copied, setCopied] = React.useState(false);
      // The local CA of the server serving this page, for calls to that server only (curl.ts).
      const [caCertPath, setCaCertPath] = React.useState<string | undefined>(undefined);
      const sameServer = `https://${store.get().domain}` === window.location.origin;
      React.useEffect(() => {
        let live = true;
        if (sameServer) void localCaCertPath().then((path) => live && setCaCertPath(path));
        return () => {
          live = false;
        };
      }, [sameServer]);
      const copy = () =>
        void navigator.clipboard.writeText(withCaCert(curl, sameServer ? caCertPath : undefined)).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      return h('button', { type: 'button', className: 'btn explorer-copy-curl', onClick: copy }, copied ? 'Copied' : 'Copy curl');
    }

    const withBadges = (Original: ComponentType<Props>) =>
      function ScopedOperationSummary(props: Props) {
        // operationProps' `op` stays empty until the operation is expanded: read the document.
        const operationProps = props.operationProps;
        const op = isImmutable(operationProps) ? operationScopes(operationProps.get('path'), operationProps.get('method')) : undefined;
        return h(React.Fragment, null, h(Original, props), op ? h(Badges, { op }) : null);
      };

    const withExplanation = (Original: ComponentType<Props>) =>
      function ExplainedResponse(props: Props) {
        const response = props.response;
        const path = typeof props.path === 'string' ? props.path : '';
        const method = typeof props.method === 'string' ? props.method : '';
        const op = operationScopes(path, method);
        // The request as sent: its token (not the one set since) is the one the answer is about.
        const request = system.specSelectors.mutatedRequestFor(path, method);
        const authorization = request?.getIn(['headers', 'Authorization']);
        const token = typeof authorization === 'string' ? decodeJwt(authorization) : undefined;
        const headers = isImmutable(response) ? response.get('headers') : undefined;
        const rejection = parseRejection(isImmutable(headers) ? headers.get(REJECTION_HEADER) : undefined);
        const sentence = isImmutable(response)
          ? explain({ status: Number(response.get('status')), body: parseBody(response.get('text')), token, now: Date.now(), audience: store.audience(), rejection, ...(op && { scopes: op.scopes, scopeMode: op.mode }) })
          : undefined;
        const curl = request ? system.fn.requestSnippetGenerator_curl_bash?.(request) : undefined;
        return h(
          'div',
          { className: 'explorer-live' },
          sentence ? h('p', { className: 'explorer-explain', role: 'status' }, sentence) : null,
          curl ? h(CopyCurl, { curl }) : null,
          h(Original, props),
        );
      };

    return { wrapComponents: { OperationSummary: withBadges, liveResponse: withExplanation } };
  };
}
