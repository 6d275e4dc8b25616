import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoFile, ROOT, staleness } from './web-build.ts';

describe('when the dashboard is rebuilt', () => {
  const sources = ['web/routes/+page.svelte', 'warehouse/convert.ts', 'ingest/contract.ts'];
  const at = (times: Record<string, number | undefined>) => (f: string) => (f in times ? times[f] : 100);

  it('rebuilds when any file the build bundled changed or is gone, whatever its folder', () => {
    expect(staleness(200, sources, at({}))).toBeNull();
    expect(staleness(200, sources, at({ 'warehouse/convert.ts': 300 }))).toBe('warehouse/convert.ts changed');
    expect(staleness(200, sources, at({ 'ingest/contract.ts': 250 }))).toBe('ingest/contract.ts changed');
    expect(staleness(200, sources, at({ 'web/routes/+page.svelte': undefined }))).toBe(
      'web/routes/+page.svelte is gone',
    );
    expect(staleness(200, sources, at({ 'package-lock.json': 201 }))).toBe('package-lock.json changed');
  });

  it('builds when there is no build or no record of its sources', () => {
    expect(staleness(undefined, sources, at({}))).toBe('no build yet');
    expect(staleness(200, undefined, at({}))).toBe('the build has no list of its sources');
  });

  it('records files of this repository only, without query strings', () => {
    expect(repoFile(`${join(ROOT, 'web', 'lib', 'A.svelte')}?svelte&type=style&lang.css`)).toBe(
      'web/lib/A.svelte',
    );
    expect(repoFile(join(ROOT, 'node_modules', 'svelte', 'index.js'))).toBeNull();
    expect(repoFile(join(ROOT, '.svelte-kit', 'generated', 'root.js'))).toBeNull();
    expect(repoFile('\0virtual:module')).toBeNull();
    expect(repoFile('/elsewhere/file.ts')).toBeNull();
  });
});
