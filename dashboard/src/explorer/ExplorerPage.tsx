// The Management API explorer (/explorer): no dashboard sign-in, just a domain and a token. The
// token panel renders at once; Swagger UI (a large bundle) follows on its own chunk and renders
// the tenant's generated OpenAPI document, with each endpoint's scopes coloured against the token.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ErrorBanner, Loading } from '../components/ui.tsx';
import { TokenPanel } from './TokenPanel.tsx';
import { ExplorerStore } from './token-store.ts';
import './explorer.css';

function SwaggerHost({ store }: { store: ExplorerStore }) {
  const { domain } = useSyncExternalStore(store.subscribe, store.get);
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | Error>('loading');
  useEffect(() => {
    // A fresh node per domain: Swagger UI owns what it renders and has no unmount.
    const node = document.createElement('div');
    ref.current?.append(node);
    let live = true;
    setState('loading');
    import('./swagger.ts').then(
      ({ mountSwagger }) => {
        if (!live) return;
        mountSwagger(node, store);
        setState('ready');
      },
      (error: unknown) => live && setState(error instanceof Error ? error : new Error('The explorer could not load.')),
    );
    return () => {
      live = false;
      node.remove();
    };
  }, [store, domain]);
  return (
    <>
      {state === 'loading' && <Loading />}
      {state instanceof Error && <ErrorBanner error={state} />}
      <div ref={ref} className="swagger-host" />
    </>
  );
}

export function ExplorerPage() {
  const store = useMemo(() => new ExplorerStore(window.location.host, window.sessionStorage), []);
  return (
    <main className="explorer" id="main">
      <header className="explorer-header">
        <h1>Management API Explorer</h1>
        <nav aria-label="Explorer">
          <a href="/dashboard/">Back to dashboard</a>
          <a href="/dashboard/debugger">Token debugger</a>
        </nav>
      </header>
      <p className="hint">
        Every endpoint lists the scopes that admit it: green when the token holds one, red when the call will be refused. <em>Try it out</em>, then <em>Execute</em>; a refused call says why, and <em>Copy curl</em> gives the same request for a terminal.
      </p>
      <TokenPanel store={store} />
      <SwaggerHost store={store} />
    </main>
  );
}
