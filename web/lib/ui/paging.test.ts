import { describe, expect, it } from 'vitest';
import { pageInfo } from './paging.ts';

describe('paging', () => {
  it('pages: first and last row shown, previous and next', () => {
    expect(pageInfo(1, 120)).toEqual({
      first: 1,
      last: 50,
      total: 120,
      pages: 3,
      page: 1,
      hasPrevious: false,
      hasNext: true,
    });
    expect(pageInfo(3, 120)).toMatchObject({ first: 101, last: 120, hasPrevious: true, hasNext: false });
    expect(pageInfo(1, 0)).toMatchObject({ first: 0, last: 0, pages: 1, hasNext: false });
    // A page past the end (a bookmarked URL after the data shrank) shows nothing but offers the way back.
    expect(pageInfo(9, 120)).toMatchObject({ first: 0, last: 0, hasPrevious: true, hasNext: false });
  });
});
