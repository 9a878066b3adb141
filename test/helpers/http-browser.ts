// A browser reduced to HTTP for end-to-end tests against real servers: fetch with a cookie jar per
// origin and redirects followed by hand, so a test can walk a login across an application (e.g.
// express-openid-connect on http://localhost:APP) and Scopeward's login page as a browser would,
// without Chromium. Forms are posted with Sec-Fetch-Site: same-origin, as a browser posting
// Scopeward's own form does (the login page's CSRF check, T-UI-06).

export interface Step {
  url: string;
  status: number;
  location?: string;
  text: string;
}

export class HttpBrowser {
  readonly #jar = new Map<string, Map<string, string>>();

  #remember(origin: string, res: Response): void {
    const cookies = this.#jar.get(origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      if (/max-age=0(;|$)/i.test(line.replace(/\s/g, '')) || /expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, pair!.slice(eq + 1));
    }
    this.#jar.set(origin, cookies);
  }

  /** One request, no redirect followed; cookies of the URL's origin sent and kept. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Step> {
    const { origin } = new URL(url);
    const cookies = this.#jar.get(origin);
    const headers: Record<string, string> = { ...init.headers };
    if (cookies && cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, redirect: 'manual', ...(init.form && { body: new URLSearchParams(init.form).toString() }) });
    this.#remember(origin, res);
    const location = res.headers.get('location');
    return { url, status: res.status, text: await res.text(), ...(location !== null && { location: new URL(location, url).toString() }) };
  }

  /** GETs `url` and each redirect after it while `more(next)` holds; returns the last step. */
  async follow(url: string, more: (next: string) => boolean = () => true): Promise<Step> {
    let step = await this.request(url);
    for (let hops = 0; step.location !== undefined && more(step.location); hops++) {
      if (hops > 10) throw new Error(`too many redirects from ${url}`);
      step = await this.request(step.location);
    }
    return step;
  }

  /**
   * From an /authorize URL (or an app route redirecting to it) through Scopeward's login page:
   * returns the step whose redirect leaves Scopeward's origin (the application's callback).
   */
  async logIn(start: string, scopeward: string, user: { email: string; password: string }): Promise<Step> {
    const onScopeward = (next: string) => new URL(next).origin === new URL(scopeward).origin;
    let step = await this.follow(start, onScopeward);
    if (step.location !== undefined && !onScopeward(step.location)) return step;
    const state = new URL(step.url).searchParams.get('state');
    if (step.status !== 200 || !new URL(step.url).pathname.startsWith('/u/login') || state === null) throw new Error(`expected the login page, got ${step.status} at ${step.url}`);
    step = await this.request(new URL('/u/login', scopeward).toString(), { form: { state, username: user.email, password: user.password }, headers: { 'sec-fetch-site': 'same-origin' } });
    while (step.location !== undefined && onScopeward(step.location)) step = await this.request(step.location);
    if (step.location === undefined) throw new Error(`login did not redirect: ${step.status} ${step.text.slice(0, 300)}`);
    return step;
  }
}
