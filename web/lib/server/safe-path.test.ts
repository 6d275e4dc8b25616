import { describe, expect, it } from 'vitest';
import { sameOriginPath } from './safe-path.ts';

describe('sameOriginPath', () => {
  it('keeps paths on this server with their query and fragment', () => {
    expect(sameOriginPath('/')).toBe('/');
    expect(sameOriginPath('/credit?region=EMEA&pl=Spare+Parts')).toBe('/credit?region=EMEA&pl=Spare+Parts');
    expect(sameOriginPath('/customers/javascript%3Aalert(9)#top')).toBe(
      '/customers/javascript%3Aalert(9)#top',
    );
    expect(sameOriginPath('/explore?f=region:equals:%3Cimg%3E')).toBe('/explore?f=region:equals:%3Cimg%3E');
    expect(sameOriginPath('/a/../data')).toBe('/data');
  });

  it.for([
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    '//evil.example',
    '///evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/\u0000/evil.example',
    '/\u007f/evil.example',
    'https://evil.example/',
    'http:/evil.example',
    'javascript:alert(9)',
    'data:text/html,<script>alert(9)</script>',
    ' /evil.example',
    'evil.example',
    '/a/..//evil.example',
    '/.//evil.example',
    '',
  ])('refuses %j', (raw) => {
    expect(sameOriginPath(raw)).toBe('/');
    expect(sameOriginPath(raw, '/collections')).toBe('/collections');
  });

  it('refuses nothing given', () => {
    expect(sameOriginPath(null)).toBe('/');
    expect(sameOriginPath(undefined, '')).toBe('');
  });
});
