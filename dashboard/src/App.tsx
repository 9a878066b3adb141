// The dashboard's frame (navigation, tenant switcher, account) and its routes.
import { lazy, Suspense, type ComponentType } from 'react';
import { Link, match, useLocation } from './lib/router.tsx';
import { useSession } from './lib/session.tsx';
import { Button, EmptyState, Loading } from './components/ui.tsx';
import { TenantSwitcher } from './components/TenantSwitcher.tsx';
import { ApplicationsPage } from './pages/Applications.tsx';

// The landing page is in the entry chunk; every other page is its own chunk, fetched on first visit,
// so that the first load carries only what the first screen needs (bench/README.md, first load).
const ApplicationPage = lazy(() => import('./pages/Application.tsx').then((m) => ({ default: m.ApplicationPage })));
const ApisPage = lazy(() => import('./pages/Apis.tsx').then((m) => ({ default: m.ApisPage })));
const ApiPage = lazy(() => import('./pages/Api.tsx').then((m) => ({ default: m.ApiPage })));
const UsersPage = lazy(() => import('./pages/Users.tsx').then((m) => ({ default: m.UsersPage })));
const UserPage = lazy(() => import('./pages/User.tsx').then((m) => ({ default: m.UserPage })));
const LogsPage = lazy(() => import('./pages/Logs.tsx').then((m) => ({ default: m.LogsPage })));
const TenantSettingsPage = lazy(() => import('./pages/TenantSettings.tsx').then((m) => ({ default: m.TenantSettingsPage })));
const SigningKeysPage = lazy(() => import('./pages/SigningKeys.tsx').then((m) => ({ default: m.SigningKeysPage })));
const DebuggerPage = lazy(() => import('./pages/Debugger.tsx').then((m) => ({ default: m.DebuggerPage })));

type Params = Record<string, string>;
const ROUTES: [string, ComponentType<{ params: Params }>][] = [
  ['/', ApplicationsPage],
  ['/applications', ApplicationsPage],
  ['/applications/:id', ApplicationPage],
  // Auth0's application tabs (#/applications/<id>/settings, …): one page holds them all.
  ['/applications/:id/:tab', ApplicationPage],
  ['/apis', ApisPage],
  ['/apis/:id', ApiPage],
  // /apis/management/explorer, /apis/<id>/permissions (lib/api-paths.ts).
  ['/apis/:id/:tab', ApiPage],
  ['/users', UsersPage],
  ['/users/:id', UserPage],
  ['/logs', LogsPage],
  ['/settings', TenantSettingsPage],
  // Auth0's tenant settings addresses (#/tenant, #/account/advanced).
  ['/tenant', TenantSettingsPage],
  ['/tenant/:section', TenantSettingsPage],
  ['/account', TenantSettingsPage],
  ['/account/:section', TenantSettingsPage],
  ['/keys', SigningKeysPage],
  ['/debugger', DebuggerPage],
];

const NAV: [string, string][] = [
  ['/applications', 'Applications'],
  ['/apis', 'APIs'],
  ['/users', 'Users'],
  ['/logs', 'Logs'],
  ['/settings', 'Tenant settings'],
  ['/keys', 'Signing keys'],
  ['/debugger', 'Token debugger'],
];

export function App() {
  const { path } = useLocation();
  const session = useSession();
  let view = <EmptyState title="There is no page here.">{<Link to="/applications">Go to Applications</Link>}</EmptyState>;
  for (const [pattern, Component] of ROUTES) {
    const params = match(pattern, path);
    if (params) {
      view = <Component params={params} />;
      break;
    }
  }
  const current = (to: string) =>
    path === to || path.startsWith(`${to}/`) || (to === '/applications' && path === '/') || (to === '/settings' && /^\/(tenant|account)(\/|$)/.test(path));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Dashboard">
        <div className="brand">Scopeward</div>
        <TenantSwitcher />
        <ul>
          {NAV.map(([to, label]) => (
            <li key={to}>
              <Link to={to} aria-current={current(to) ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
          <li>
            <a href="/explorer">API explorer</a>
          </li>
        </ul>
        <div className="account">
          <span className="account-email">{session.email}</span>
          <Button onClick={session.logout}>Log out</Button>
        </div>
      </nav>
      <main id="main" className="content">
        <Suspense fallback={<Loading />}>{view}</Suspense>
      </main>
    </div>
  );
}
