/** A server URL as a key (cache entries, saved logins): without user and password, without a trailing slash. */
export function serverKey(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/+$/, '');
  }
}
