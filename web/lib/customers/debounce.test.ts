import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce } from './debounce.ts';

describe('debounce', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('calls once, with the last arguments, after input pauses', () => {
    const fn = vi.fn<(q: string) => void>();
    const search = debounce(fn, 300);
    search('a');
    vi.advanceTimersByTime(200);
    search('ac');
    vi.advanceTimersByTime(200);
    search('acm');
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(299);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith('acm');
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('flush runs the pending call now (Enter); cancel drops it (component destroyed)', () => {
    const fn = vi.fn<(q: string) => void>();
    const search = debounce(fn, 300);
    search('x');
    search.flush();
    expect(fn).toHaveBeenCalledExactlyOnceWith('x');
    search.flush();
    expect(fn).toHaveBeenCalledTimes(1);
    search('y');
    search.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
