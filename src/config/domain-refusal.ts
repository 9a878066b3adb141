// R4: a server whose domain differs from the default tenant's stored one refuses to start and says
// what to pass. Moving the domain silently let a second instance started with defaults take the
// default tenant away from the first (which then answered 404 for its own host).

export class DomainChangeRefused extends Error {
  override name = 'DomainChangeRefused';
  constructor(stored: string, wanted: string) {
    super(
      [
        `the default tenant answers ${stored}, but this server would serve it as ${wanted} (--domain, or localhost:PORT when none is given); refusing to start.`,
        '  Another instance on this database may be serving it there; a server never moves a stored domain by itself.',
        `  To serve the same tenant, start with --domain ${stored} (or SCOPEWARD_DOMAIN=${stored}).`,
        '  For a separate server, give it a database of its own (--data-dir or DATABASE_URL).',
        `  To move the default tenant to ${wanted} (its issuer, Management API audience and grants follow; tokens issued for ${stored} stop verifying), start once with --domain ${wanted} --change-domain.`,
      ].join('\n'),
    );
  }
}
