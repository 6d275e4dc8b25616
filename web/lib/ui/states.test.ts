import { describe, expect, it } from 'vitest';
import { combinedStatus, pagedStatus } from './states.ts';

describe('a paged list’s state', () => {
  it('errors from any query; loading only until the first page is there', () => {
    const list = (status: 'loading' | 'ready' | 'error', rows = 0) => ({ status, rows: Array(rows) });
    expect(pagedStatus(list('loading'))).toBe('loading');
    expect(pagedStatus(list('loading', 3))).toBe('ready');
    expect(pagedStatus(list('ready'), { status: 'error' })).toBe('error');
    expect(pagedStatus(list('error', 3), { status: 'ready' })).toBe('error');
    expect(pagedStatus(list('ready', 3), { status: 'loading' })).toBe('ready');
  });
});

describe('several queries as one', () => {
  it('an error in any, loading while any loads, else ready', () => {
    expect(combinedStatus({ status: 'ready' }, { status: 'loading' })).toBe('loading');
    expect(combinedStatus({ status: 'error' }, { status: 'loading' })).toBe('error');
    expect(combinedStatus({ status: 'ready' }, { status: 'ready' })).toBe('ready');
    expect(combinedStatus()).toBe('ready');
  });
});
