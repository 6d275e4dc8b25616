import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  BUILTIN_TESTS,
  countFailures,
  genericTestName,
  genericTestSql,
  parseTestEntry,
  type GenericTestSpec,
} from './data-tests.ts';
import { Executor } from './executor.ts';
import { Jinja, type JinjaContext } from './jinja.ts';

const ctx: JinjaContext = {
  ref: (name) => `"main"."${name}"`,
  source: (s, t) => `"${s}"."${t}"`,
  config: () => undefined,
  isIncremental: () => false,
  thisRelation: '"main"."t"',
  vars: { big: 100 },
  profile: 'p',
};

describe('data test entries', () => {
  it('reads the forms dbt accepts', () => {
    expect(parseTestEntry('unique', 'x')).toEqual({
      test: 'unique',
      args: {},
      severity: 'error',
      where: null,
      tags: [],
      name: null,
      enabled: true,
    });
    const entry = parseTestEntry(
      { accepted_values: { values: ['a', 'b'], quote: false, config: { severity: 'WARN', where: 'x > 0' } } },
      'x',
    );
    expect(entry).toMatchObject({ test: 'accepted_values', args: { values: ['a', 'b'], quote: false } });
    expect(entry).toMatchObject({ severity: 'warn', where: 'x > 0' });
    expect(
      parseTestEntry({ not_null: { severity: 'warn', name: 'id_present', tags: 'core' } }, 'x'),
    ).toMatchObject({
      args: {},
      severity: 'warn',
      name: 'id_present',
      tags: ['core'],
    });
    expect(
      parseTestEntry({ relationships: { arguments: { to: "ref('c')", field: 'id' } } }, 'x').args,
    ).toEqual({
      to: "ref('c')",
      field: 'id',
    });
    expect(parseTestEntry({ unique: { config: { enabled: false } } }, 'x').enabled).toBe(false);
  });

  it('rejects what it cannot honour, naming where', () => {
    expect(() => parseTestEntry({ unique: {}, not_null: {} }, 'a.yml: model m')).toThrow(
      'a.yml: model m: a test is',
    );
    expect(() => parseTestEntry('dbt_utils.at_least_one', 'a.yml')).toThrow(
      'tests from packages are not supported',
    );
    expect(() => parseTestEntry({ unique: { config: { severity: 'fatal' } } }, 'a.yml')).toThrow(
      'severity must be warn or error',
    );
    expect(() => parseTestEntry({ unique: { error_if: '>10' } }, 'a.yml')).toThrow(
      'error_if is not supported',
    );
  });

  it('names generic tests as dbt does', () => {
    const spec = (entry: Parameters<typeof parseTestEntry>[0]) => parseTestEntry(entry, 'x');
    expect(genericTestName(spec('not_null'), 'orders', 'order_id', false)).toBe('not_null_orders_order_id');
    expect(
      genericTestName(
        spec({ accepted_values: { values: ['placed', 'shipped'] } }),
        'orders',
        'status',
        false,
      ),
    ).toBe('accepted_values_orders_status__placed__shipped');
    expect(
      genericTestName(
        spec({ relationships: { to: "ref('customers')", field: 'id' } }),
        'orders',
        'customer_id',
        false,
      ),
    ).toBe('relationships_orders_customer_id__id__ref_customers_');
    expect(genericTestName(spec('unique'), 'erp_invoices', 'invoice_id', true)).toBe(
      'source_unique_erp_invoices_invoice_id',
    );
    expect(genericTestName(spec({ expression_is_true: { expression: 'a >= b' } }), 'm', null, false)).toBe(
      'expression_is_true_m_a_b',
    );
  });
});

describe('generic tests in DuckDB', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const jinja = new Jinja([
    BUILTIN_TESTS,
    {
      path: 'macros/expression_is_true.sql',
      text: '{% test expression_is_true(model, expression) %}select * from {{ model }} where not ({{ expression }}){% endtest %}',
    },
  ]);

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run(`
      CREATE TABLE parents (id INTEGER);
      INSERT INTO parents VALUES (1), (2);
      CREATE TABLE t (id INTEGER, parent_id INTEGER, status VARCHAR, amount INTEGER, code INTEGER, note VARCHAR);
      INSERT INTO t VALUES
        (1, 1, 'open', 10, 7, 'it''s'),
        (2, 2, 'paid', 20, 8, NULL),
        (3, NULL, 'open', 30, 7, NULL);`);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  async function failures(entry: Parameters<typeof parseTestEntry>[0], column: string | null) {
    const spec: GenericTestSpec = parseTestEntry(entry, 'test');
    const sql = genericTestSql(jinja, spec, '"main"."t"', column, ctx, 'x.yml');
    return countFailures(new Executor(conn), 'test.x', sql);
  }

  it('unique', async () => {
    expect(await failures('unique', 'id')).toBe(0);
    expect(await failures('unique', 'status')).toBe(1);
    expect(await failures('unique', 'parent_id')).toBe(0); // NULLs are not duplicates
  });

  it('not_null', async () => {
    expect(await failures('not_null', 'id')).toBe(0);
    expect(await failures('not_null', 'parent_id')).toBe(1);
    expect(await failures({ not_null: { config: { where: 'status = $$paid$$' } } }, 'parent_id')).toBe(0);
  });

  it('accepted_values, quoted (with a quote inside) and not', async () => {
    expect(await failures({ accepted_values: { values: ['open', 'paid'] } }, 'status')).toBe(0);
    expect(await failures({ accepted_values: { values: ['open'] } }, 'status')).toBe(1);
    expect(await failures({ accepted_values: { values: ["it's"] } }, 'note')).toBe(0);
    expect(await failures({ accepted_values: { values: [7, 8], quote: false } }, 'code')).toBe(0);
    expect(await failures({ accepted_values: { values: [7], quote: false } }, 'code')).toBe(1);
  });

  it('relationships, with to: ref(…) evaluated', async () => {
    expect(await failures({ relationships: { to: "ref('parents')", field: 'id' } }, 'parent_id')).toBe(0);
    await conn.run('DELETE FROM parents WHERE id = 2');
    try {
      expect(await failures({ relationships: { to: "ref('parents')", field: 'id' } }, 'parent_id')).toBe(1);
    } finally {
      await conn.run('INSERT INTO parents VALUES (2)');
    }
  });

  it('a project-defined generic test at model level, with a rendered argument', async () => {
    expect(await failures({ expression_is_true: { expression: 'amount > 0' } }, null)).toBe(0);
    expect(await failures({ expression_is_true: { expression: 'amount < 25' } }, null)).toBe(1);
    expect(await failures({ expression_is_true: { expression: "amount < {{ var('big') }}" } }, null)).toBe(0);
  });

  it('fails clearly for an unknown generic test', async () => {
    await expect(failures('positive', 'amount')).rejects.toThrow('x.yml: no macro named test_positive');
  });
});
