/**
 * Drives the hosted self-service pages with plain HTTP, as a browser without JavaScript would: GET the
 * page, keep its CSRF cookie, read the form's action and hidden fields, POST the visible fields.
 */
export interface PageResult {
  status: number;
  html: string;
  location: string | null;
}

export interface Form {
  /** The GET of the page. */
  page: PageResult;
  /** Posts the form with `fields` (the hidden ones, CSRF included, are added; `tamper` may change them). */
  submit(fields: Record<string, string>, tamper?: (form: URLSearchParams) => void): Promise<PageResult>;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');

export async function openForm(url: string, cookies: string[] = []): Promise<Form> {
  const response = await fetch(url, { redirect: 'manual', headers: cookies.length === 0 ? {} : { cookie: cookies.join('; ') } });
  const page = { status: response.status, html: await response.text(), location: response.headers.get('location') };
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const action = /<form method="post" action="([^"]*)"/.exec(page.html)?.[1];
  return {
    page,
    async submit(fields, tamper) {
      if (action === undefined) throw new Error(`no form on the page (${page.status}): ${page.html.slice(0, 300)}`);
      const form = new URLSearchParams();
      for (const match of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(unescape(match[1]!), unescape(match[2]!));
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      tamper?.(form);
      const target = new URL(unescape(action), url).toString();
      const posted = await fetch(target, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [cookie, ...cookies].filter((c) => c !== '').join('; ') }, body: form.toString() });
      return { status: posted.status, html: await posted.text(), location: posted.headers.get('location') };
    },
  };
}

/** The text of a page's alert or status paragraph. */
export function message(html: string): string {
  return unescape(/<p (?:id="error" )?class="error" role="alert">([^<]*)<\/p>|<p role="status">([^<]*)<\/p>/.exec(html)?.slice(1).find((m) => m !== undefined) ?? '');
}
