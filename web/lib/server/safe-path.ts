/**
 * Where the dashboard may send a browser after sign-in (`/signin?next=`) or a language switch
 * (`/lang?back=`): a path on this server, nothing else. Browsers read `/\evil.example` as
 * `//evil.example` (a backslash counts as a slash) and skip tabs and line breaks in URLs, so a plain
 * "starts with / but not //" check lets such values redirect off-site. Pure.
 */
const BASE = 'http://arlens.invalid';

/** Backslashes, control characters (tab, CR, LF, NUL…) and DEL: never part of a path we write. */
function hasForbiddenCharacter(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/** `raw` as a same-origin path with its query and fragment, or `fallback` when it is not one. */
export function sameOriginPath(raw: string | null | undefined, fallback = '/'): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return fallback;
  if (hasForbiddenCharacter(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse into '//host' ('/a/..//evil'): check what the browser would get.
  return path.startsWith('//') ? fallback : path;
}
