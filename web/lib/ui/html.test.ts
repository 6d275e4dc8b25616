import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html.ts';

describe('escapeHtml', () => {
  it('turns every character with a meaning in HTML text or attributes into an entity', () => {
    expect(escapeHtml(`<img src=x onerror=alert(9)>`)).toBe('&lt;img src=x onerror=alert(9)&gt;');
    expect(escapeHtml(`"><svg onload=alert(9)>`)).toBe('&quot;&gt;&lt;svg onload=alert(9)&gt;');
    expect(escapeHtml(`O'Brien & Söhne`)).toBe('O&#39;Brien &amp; Söhne');
    // Already escaped text is escaped again (it is data, not markup).
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('leaves other text alone and writes numbers, null and undefined as text', () => {
    expect(escapeHtml('javascript:alert(9)')).toBe('javascript:alert(9)');
    expect(escapeHtml('=HYPERLINK("http://evil")')).toBe('=HYPERLINK(&quot;http://evil&quot;)');
    expect(escapeHtml('株式会社 佐藤')).toBe('株式会社 佐藤');
    expect(escapeHtml(12.5)).toBe('12.5');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
  });
});
