import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from '../../tests/helpers.ts';
import { compile } from './compile.ts';
import { folderConfig, parseProject, type DataTestNode, type ModelNode, type Node } from './project.ts';

const MINI = join(FIXTURES, 'dbt-mini');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

/** A small project in a temp dir: dbt_project.yml plus `files`. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('arlens-project-');
  dirs.push(dir);
  const all = { 'dbt_project.yml': "name: p\nmodel-paths: ['models']\n", ...files };
  for (const [path, text] of Object.entries(all)) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true });
    await fs.writeFile(join(dir, path), text);
  }
  return dir;
}

function byName<K extends Node['kind']>(nodes: Iterable<Node>, kind: K, name: string) {
  const node = [...nodes].find((n) => n.kind === kind && n.name === name);
  if (!node) throw new Error(`no ${kind} ${name}`);
  return node as Extract<Node, { kind: K }>;
}

describe('parsing a dbt project', () => {
  it('reads dbt-mini: models with their final config, sources, tests, unit tests and the DAG', async () => {
    const p = await parseProject(MINI);
    const nodes = [...p.nodes.values()];
    const count = (kind: Node['kind']) => nodes.filter((n) => n.kind === kind).length;
    expect([count('source'), count('model'), count('test'), count('unit_test')]).toEqual([2, 6, 18, 3]);
    const m = (name: string) => byName(nodes, 'model', name);
    // dbt_project.yml default (view); in-file config; property file config; folder config under a model path.
    expect(m('stg_customers')).toMatchObject({
      materialized: 'view',
      schema: 'main',
      relation: '"main"."stg_customers"',
    });
    expect(m('fct_invoices')).toMatchObject({
      materialized: 'incremental',
      schema: 'marts',
      uniqueKey: ['invoice_id'],
    });
    expect(m('customer_balances')).toMatchObject({
      materialized: 'table',
      schema: 'marts',
      tags: ['balances'],
    });
    expect(m('region_totals')).toMatchObject({
      materialized: 'table',
      schema: 'finance',
      tags: ['finance'],
      fqn: ['mini', 'finance', 'region_totals'],
    });
    expect(m('open_invoices')).toMatchObject({
      materialized: 'ephemeral',
      relation: '"__dbt__cte__open_invoices"',
    });
    expect(m('customer_balances').dependsOn).toEqual([
      'model.mini.stg_customers',
      'model.mini.open_invoices',
    ]);
    expect(m('stg_invoices').dependsOn).toEqual(['source.mini.erp.invoices']);
    expect(m('customer_balances').columns[1]).toEqual({
      name: 'open_amount',
      description: "Sum of the customer's open invoices.",
      dataType: null,
    });
    expect(byName(nodes, 'source', 'erp.invoices')).toMatchObject({
      schema: 'raw',
      relation: '"raw"."invoices"',
    });

    const t = (name: string) => byName(nodes, 'test', name) as DataTestNode;
    expect(t('accepted_values_stg_invoices_status__open__paid').severity).toBe('warn');
    expect(t('relationships_stg_invoices_customer_id__customer_id__ref_stg_customers_').dependsOn).toEqual([
      'model.mini.stg_invoices',
      'model.mini.stg_customers',
    ]);
    expect(t('expression_is_true_customer_balances_open_invoices_0').generic).toMatchObject({ column: null });
    expect(t('assert_no_negative_balances')).toMatchObject({
      path: 'tests/assert_no_negative_balances.sql',
      generic: null,
      dependsOn: ['model.mini.customer_balances'],
    });
    expect(byName(nodes, 'unit_test', 'fct_invoices_takes_newer_rows')).toMatchObject({
      model: 'model.mini.fct_invoices',
      isIncremental: true,
      given: [{ node: 'model.mini.stg_invoices' }, { node: 'this' }],
    });
    expect(byName(nodes, 'unit_test', 'balances_respect_min_amount').vars).toEqual({ min_amount: 1 });
  });

  it('applies dbt_project.yml configs by folder: +key inherited, deeper wins, tags add up', () => {
    const models = {
      p: {
        '+materialized': 'view',
        '+tags': 'a',
        finance: { '+materialized': 'table', tags: ['b'], deep: { x: 1 } },
      },
    };
    expect(folderConfig(models, ['p', 'finance', 'm'])).toEqual({ materialized: 'table', tags: ['a', 'b'] });
    expect(folderConfig(models, ['p', 'm'])).toEqual({ materialized: 'view', tags: ['a'] });
    expect(folderConfig(models, ['other', 'm'])).toEqual({});
  });

  it('lands a custom schema as it is, or calls the project’s generate_schema_name', async () => {
    const plain = await project({
      'models/a.sql': "{{ config(schema='marts') }}select 1",
      'models/b.sql': 'select 1',
    });
    const p1 = await parseProject(plain);
    expect(byName(p1.nodes.values(), 'model', 'a').schema).toBe('marts');
    expect(byName(p1.nodes.values(), 'model', 'b').schema).toBe('main');
    const custom = await project({
      'models/a.sql': "{{ config(schema='marts') }}select 1",
      'macros/schema.sql':
        '{% macro generate_schema_name(custom_schema_name, node) %}{{ target.schema }}_{{ custom_schema_name or "x" }}_{{ node.name }}{% endmacro %}',
    });
    expect(byName((await parseProject(custom)).nodes.values(), 'model', 'a').schema).toBe('main_marts_a');
  });

  it('names the model and the missing name for an unknown ref or source', async () => {
    const ref = await project({ 'models/a.sql': "select * from {{ ref('nope') }}" });
    await expect(parseProject(ref)).rejects.toThrow(
      "Model 'a' (models/a.sql) depends on a node named 'nope' which was not found",
    );
    const src = await project({ 'models/a.sql': "select * from {{ source('erp', 'x') }}" });
    await expect(parseProject(src)).rejects.toThrow(
      "Model 'a' (models/a.sql) depends on a source named 'erp.x' which was not found",
    );
  });

  it('names the cycle', async () => {
    const dir = await project({
      'models/a.sql': "select * from {{ ref('c') }}",
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/c.sql': "select * from {{ ref('b') }}",
    });
    await expect(parseProject(dir)).rejects.toThrow('Found a cycle: a -> c -> b -> a');
  });

  it('rejects mistakes with the file and the reason', async () => {
    const cases: [Record<string, string>, string][] = [
      [
        { 'models/a.sql': "{{ config(materialized='snapshot') }}select 1" },
        "models/a.sql: materialized 'snapshot'",
      ],
      [{ 'models/a.sql': 'select 1', 'models/x/a.sql': 'select 2' }, 'two models are named a'],
      [
        { 'models/s.yml': 'models:\n  - name: b\n' },
        'models/s.yml: describes model b, but there is no b.sql',
      ],
      [{ 'models/s.yml': 'models:\n  - description: no name\n' }, 'models/s.yml: '],
      [{ 'models/a.sql': "select {{ var('missing') }}" }, "models/a.sql: Required var 'missing'"],
      [
        {
          'models/a.sql': 'select 1',
          'models/s.yml':
            "unit_tests:\n  - {name: u, model: a, given: [{input: ref('a')}], expect: {rows: []}}\n",
        },
        "models/s.yml: unit test u: a does not read ref('a')",
      ],
      [{ 'dbt_project.yml': 'name: p-q\n' }, 'dbt_project.yml: '],
      [
        { 'models/a.sql': "{{ config(pre_hook='grant') }}select 1" },
        'models/a.sql: pre_hook is not supported',
      ],
      [
        { 'models/a.sql': "{{ config(materialized='incremental', incremental_strategy='merge') }}select 1" },
        "models/a.sql: incremental_strategy 'merge' (delete+insert and append are) is not supported",
      ],
    ];
    for (const [files, message] of cases) {
      await expect(parseProject(await project(files)), message).rejects.toThrow(message);
    }
    await expect(parseProject(join(MINI, 'staging'))).rejects.toThrow('there is no dbt_project.yml');
  });
});

describe('compile', () => {
  it('renders every node without a warehouse: refs resolved, ephemeral models inlined, is_incremental() false', async () => {
    const compiled = await compile(MINI, { min_amount: 5 });
    const sql = (name: string) => compiled.nodes.find((n) => n.name === name)?.sql ?? '';
    expect(sql('stg_invoices')).toContain('(amount_cents / 100)::decimal(18, 2) as invoice_amount');
    expect(sql('stg_invoices')).toContain('from "raw"."invoices"');
    expect(sql('fct_invoices')).not.toContain('where updated_at');
    expect(sql('customer_balances')).toMatch(/^with "__dbt__cte__open_invoices" as \(\nselect invoice_id/);
    expect(sql('customer_balances')).toContain('>= 5');
    expect(sql('unique_stg_customers_customer_id')).toContain('from "main"."stg_customers"');
    expect(compiled.nodes.find((n) => n.kind === 'unit_test')?.sql).toBeNull();
    const order = compiled.nodes.map((n) => n.name);
    expect(order.indexOf('fct_invoices_takes_newer_rows')).toBeLessThan(order.indexOf('fct_invoices'));
    expect(order.indexOf('unique_fct_invoices_invoice_id')).toBeGreaterThan(order.indexOf('fct_invoices'));
    expect(compiled.nodes.map((n) => n.kind)).not.toContain('source');
    expect((compiled.project.nodes.get('model.mini.customer_balances') as ModelNode).materialized).toBe(
      'table',
    );
  });
});
