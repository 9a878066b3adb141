// Which log stream filter category an event type belongs to (Auth0's "Log Stream Filters" page,
// docs/log-streams.md): a stream with filters delivers an event only when its type's category is
// one of them. Types Auth0 lists under no category, and types it does not list at all, are `other`.
import type { LogStreamCategory } from '../schemas/log-stream.ts';

const TYPES: Partial<Record<LogStreamCategory, readonly string[]>> = {
  actions: ['actions_execution_failed'],
  'auth.login.fail': ['f', 'fc', 'fco', 'fcoa', 'fens', 'fp', 'fu'],
  'auth.login.notification': ['w'],
  'auth.login.success': ['s', 'scoa', 'sens'],
  'auth.logout.fail': ['flo', 'oidc_backchannel_logout_failed'],
  'auth.logout.success': ['oidc_backchannel_logout_succeeded', 'slo'],
  'auth.signup.fail': ['fs'],
  'auth.signup.success': ['ss'],
  'auth.silent_auth.fail': ['fsa'],
  'auth.silent_auth.success': ['ssa'],
  'auth.token_exchange.fail': ['feacft', 'feccft', 'fede', 'feoobft', 'feotpft', 'fepft', 'fepotpft', 'fercft', 'ferrt', 'fertft'],
  'auth.token_exchange.success': ['seacft', 'seccft', 'sede', 'seoobft', 'seotpft', 'sepft', 'sercft', 'sertft'],
  // Auth0's page lists no type under Management API - Failure; `fapi` ("Failed API Operation") is the one that fits.
  'management.fail': ['fapi'],
  'management.success': ['sapi', 'mgmt_api_read'],
  'scim.event': ['sscim', 'fscim'],
  'system.notification': [
    'admin_update_launch',
    'api_limit',
    'coff',
    'con',
    'depnote',
    'fcpro',
    'fui',
    'limit_delegation',
    'limit_mu',
    'limit_wc',
    'sys_os_update_start',
    'sys_os_update_end',
    'sys_update_start',
    'sys_update_end',
  ],
  'user.fail': ['fce', 'fcp', 'fcpn', 'fcpr', 'fcu', 'fd', 'fdeaz', 'fdecc', 'fdu', 'fn', 'fv', 'fvr', 'ss_sso_failure'],
  'user.notification': ['cs', 'gd_enrollment_complete', 'gd_start_enroll', 'gd_unenroll', 'gd_update_device_account', 'ss_sso_info', 'ublkdu'],
  'user.success': ['sce', 'scp', 'scpn', 'scpr', 'scu', 'sdu', 'srrt', 'ss_sso_success', 'sui', 'sv', 'svr'],
};

const CATEGORY_OF = new Map<string, LogStreamCategory>(
  Object.entries(TYPES).flatMap(([category, types]) => types.map((t) => [t, category as LogStreamCategory] as const)),
);

/** The filter category of an event type. */
export function categoryOf(type: string): LogStreamCategory {
  return CATEGORY_OF.get(type) ?? 'other';
}

/** Whether a stream with these category filters delivers an event of `type` (no filters: every event). */
export function streamAccepts(filters: readonly { name: string }[] | undefined, type: string): boolean {
  if (!filters || filters.length === 0) return true;
  const category = categoryOf(type);
  return filters.some((f) => f.name === category);
}
