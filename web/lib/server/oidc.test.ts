import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { CONTINUE_HEADERS, continuePage } from './oidc.ts';

describe('the page that ends a single sign-on', () => {
  it('opens the next page by meta refresh, with a link, and no script', () => {
    const html = continuePage('/credit?region=EMEA&pl=A', 'en', translator('en'));
    expect(html).toContain('<meta http-equiv="refresh" content="0; url=/credit?region=EMEA&#38;pl=A">');
    expect(html).toContain('<a href="/credit?region=EMEA&#38;pl=A">Continue</a>');
    expect(html).toContain('<html lang="en">');
    expect(html).not.toMatch(/<script|<style|style=/);
    expect(continuePage('/', 'ja', translator('ja'))).toContain('続ける');
  });

  it('escapes what it writes and goes nowhere but a path here', () => {
    const html = continuePage('/x"><script>alert(1)</script>', 'en', translator('en'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('url=/x&#34;&#62;&#60;script&#62;');
    for (const next of ['//evil.example', 'https://evil.example/', 'javascript:alert(1)', '']) {
      expect(continuePage(next, 'en', translator('en'))).toContain('content="0; url=/"');
    }
  });

  it('is never cached and sends no referrer (its address held the code)', () => {
    expect(CONTINUE_HEADERS).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  });
});
