/**
 * The form a browser gets at /signin: the nonce cookie it sets (as `name=value`) and the CSRF token its forms
 * carry. `headers` are sent with the GET too, so that a proxied https request gets the __Host- nonce.
 */
export async function signInForm(url: string, headers: Record<string, string> = {}): Promise<{ cookie: string; csrf: string; html: string }> {
  const page = await fetch(`${url}/signin`, { headers });
  const html = await page.text();
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const csrf = /name="csrf" value="([\w-]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error(`${url}/signin answered ${page.status} without a sign-in form`);
  return { cookie, csrf, html };
}

/** Signs in at /signin with `token` as a browser would: the form's nonce cookie and CSRF token, then the post. */
export async function tokenSignIn(url: string, token: string, headers: Record<string, string> = {}): Promise<Response> {
  const { 'sec-fetch-site': _site, origin: _origin, ...getHeaders } = headers;
  const form = await signInForm(url, getHeaders);
  return fetch(`${url}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, cookie: [form.cookie, headers['cookie']].filter(Boolean).join('; ') },
    body: new URLSearchParams({ token, csrf: form.csrf }),
  });
}
