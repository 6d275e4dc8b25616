import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers.ts';
import { queryRows } from '../../warehouse/convert.ts';
import { buildInConnection } from './index.ts';
import { parseProject } from './project.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('arlens-hooks-');
  dirs.push(dir);
  for (const [path, text] of Object.entries({
    'dbt_project.yml': "name: p\nmodel-paths: ['models']\n",
    ...files,
  })) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true });
    await fs.writeFile(join(dir, path), text);
  }
  return dir;
}

describe('post_hook', () => {
  it('runs after the model, rendered in its context, on full and incremental runs, in order', async () => {
    const dir = await project({
      'models/src.sql': "{{ config(materialized='table') }}select * from range({{ var('n') }}) t(i)",
      'models/m.sql':
        "{{ config(materialized='incremental', unique_key='i') }}select i from {{ ref('src') }}",
      'models/m.yml': [
        'models:',
        '  - name: m',
        '    config:',
        '      post_hook:',
        '        - "delete from {{ this }} where i >= {{ var(\'n\') }} - 1"',
        '        - "insert into {{ this }} select {{ 100 if is_incremental() else 10 }}"',
      ].join('\n'),
    });
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const rows = async () =>
        (await queryRows(conn, 'select i from m order by i')).map((r) => Number(r['i']));
      await buildInConnection(conn, await parseProject(dir, { n: 4 }));
      expect(await rows()).toEqual([0, 1, 2, 10]);
      await buildInConnection(conn, await parseProject(dir, { n: 3 }));
      // Incremental: rows 0..2 replaced, then the hook deletes 2 and 10 (>= 2) and adds 100.
      expect(await rows()).toEqual([0, 1, 100]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
