/** One answer of the pages, with the body read. */
export interface Page {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
}

/**
 * A browser without JavaScript: fetch with a cookie jar (name → value), no
 * automatic redirects, and a log of every URL it asked for and every
 * Location it was sent to, so tests can check that no code or SID ever
 * appears in one.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];
  readonly urls: string[] = [];

  constructor(readonly baseUrl: string, readonly extraHeaders: Record<string, string> = {}) {}

  get(path: string): Promise<Page> {
    return this.#request('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<Page> {
    return this.#request('POST', path, new URLSearchParams(form).toString());
  }

  /** Posts a form and follows a 303 like a browser (GET the Location). */
  async submit(path: string, form: Record<string, string>): Promise<Page> {
    const page = await this.post(path, form);
    return page.status === 303 && page.location ? this.get(page.location) : page;
  }

  async #request(method: string, path: string, body?: string): Promise<Page> {
    const url = new URL(path, this.baseUrl).toString();
    this.urls.push(url);
    const headers: Record<string, string> = { ...this.extraHeaders };
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const location = response.headers.get('location');
    if (location) this.urls.push(new URL(location, url).toString());
    return { status: response.status, headers: response.headers, body: await response.text(), location };
  }
}

/** The CSRF token of the first form on a page. */
export function csrfOf(page: Page): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page.body);
  if (!match) throw new Error(`no CSRF field in page (status ${page.status}):\n${page.body.slice(0, 500)}`);
  return match[1]!;
}

/** The text content of an element by id (first match), tags stripped and entities of escapeHtml decoded. */
export function textOf(page: Page, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(page.body);
  return match ? decode(match[2]!.replace(/<[^>]+>/g, '')).trim() : undefined;
}

export function decode(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
}
