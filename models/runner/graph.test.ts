import { describe, expect, it } from 'vitest';
import { assertAcyclic, buildPlan, selectNodes } from './graph.ts';
import type { DataTestNode, ModelNode, Node, SourceNode, UnitTestNode } from './project.ts';

const base = { path: 'x', description: '', tags: [] as string[] };

function model(name: string, deps: string[] = [], tags: string[] = []): ModelNode {
  return {
    ...base,
    kind: 'model',
    id: `model.p.${name}`,
    name,
    tags,
    dependsOn: deps,
    sql: '',
    fqn: ['p', name],
    materialized: 'view',
    schema: 'main',
    relation: name,
    uniqueKey: [],
    config: {},
    columns: [],
  };
}

function source(name: string): SourceNode {
  const [s = '', t = ''] = name.split('.');
  return {
    ...base,
    kind: 'source',
    id: `source.p.${name}`,
    name,
    dependsOn: [],
    sourceName: s,
    table: t,
    schema: s,
    relation: name,
    columns: [],
  };
}

function test(name: string, deps: string[]): DataTestNode {
  return {
    ...base,
    kind: 'test',
    id: `test.p.${name}`,
    name,
    dependsOn: deps,
    severity: 'error',
    sql: '',
    generic: null,
  };
}

function unit(name: string, of: ModelNode): UnitTestNode {
  return {
    ...base,
    kind: 'unit_test',
    id: `unit_test.p.${name}`,
    name,
    dependsOn: of.dependsOn,
    model: of.id,
    given: [],
    expect: [],
    vars: {},
    isIncremental: false,
  };
}

/**
 *   erp.customers ─ customers ─┬─ orders ── revenue
 *   (not_null_src)  (unique_c)  │  (rel_orders: orders → customers)
 *                               └─ segments   [tag: marketing]
 */
function graph(): Map<string, Node> {
  const src = source('erp.customers');
  const customers = model('customers', [src.id]);
  const orders = model('orders', [customers.id]);
  const revenue = model('revenue', [orders.id]);
  const segments = model('segments', [customers.id], ['marketing']);
  const nodes: Node[] = [
    src,
    customers,
    orders,
    revenue,
    segments,
    test('not_null_src', [src.id]),
    test('unique_c', [customers.id]),
    test('rel_orders', [orders.id, customers.id]),
    unit('revenue_sums', revenue),
  ];
  return new Map(nodes.map((n) => [n.id, n]));
}

const names = (nodes: Map<string, Node>, ids: Iterable<string>) =>
  [...ids].map((id) => nodes.get(id)?.name).sort();

describe('project graph', () => {
  it('names the cycle when refs form one', () => {
    const a = model('a', ['model.p.c']);
    const b = model('b', [a.id]);
    const c = model('c', [b.id]);
    const nodes = new Map<string, Node>([a, b, c].map((n) => [n.id, n]));
    expect(() => assertAcyclic(nodes)).toThrow('Found a cycle: a -> c -> b -> a');
    expect(() => assertAcyclic(graph())).not.toThrow();
  });

  it('runs unit tests before their model, data tests right after it, children after those', () => {
    const nodes = graph();
    const { order, blockers } = buildPlan(nodes, selectNodes(nodes));
    expect(order.map((id) => nodes.get(id)?.name)).toEqual([
      'not_null_src',
      'customers',
      'unique_c',
      'orders',
      'rel_orders',
      'revenue_sums',
      'revenue',
      'segments',
    ]);
    // The relationships test reads orders, so it does not block orders; it blocks orders' siblings.
    expect(names(nodes, blockers.get('model.p.orders') ?? [])).toEqual(['customers', 'unique_c']);
    expect(names(nodes, blockers.get('model.p.segments') ?? [])).toEqual([
      'customers',
      'rel_orders',
      'unique_c',
    ]);
    expect(names(nodes, blockers.get('model.p.revenue') ?? [])).toEqual([
      'orders',
      'rel_orders',
      'revenue_sums',
    ]);
    expect(names(nodes, blockers.get('model.p.customers') ?? [])).toEqual(['not_null_src']);
  });

  it('selects with name, +name, name+, +name+, tag:, unions and --exclude, plus the tests of what it selects', () => {
    const nodes = graph();
    const select = (s: string[], x: string[] = []) => names(nodes, selectNodes(nodes, s, x));
    expect(select(['orders'])).toEqual(['orders', 'rel_orders']);
    expect(select(['+orders'])).toEqual([
      'customers',
      'erp.customers',
      'not_null_src',
      'orders',
      'rel_orders',
      'unique_c',
    ]);
    expect(select(['orders+'])).toEqual(['orders', 'rel_orders', 'revenue', 'revenue_sums']);
    expect(select(['+revenue+'])).toEqual(select(['+revenue']));
    expect(select(['+customers+'])).toEqual(names(nodes, nodes.keys()));
    expect(select(['tag:marketing', 'revenue'])).toEqual(['revenue', 'revenue_sums', 'segments']);
    expect(select(['tag:marketing revenue'])).toEqual(select(['tag:marketing', 'revenue']));
    // orders+ includes the relationships test on orders: excluded too.
    expect(select(['customers+'], ['orders+'])).toEqual(['customers', 'segments', 'unique_c']);
    expect(select([], ['revenue'])).toEqual(
      names(nodes, nodes.keys()).filter((n) => n !== 'revenue' && n !== 'revenue_sums'),
    );
    // A data test reading an excluded node is left out too.
    expect(select([], ['customers'])).toEqual([
      'erp.customers',
      'not_null_src',
      'orders',
      'revenue',
      'revenue_sums',
      'segments',
    ]);
    expect(() => select(['nope'])).toThrow("No node matches the selector 'nope'");
  });

  it('selects and excludes by resource_type, as dbt does', () => {
    const nodes = graph();
    const select = (s: string[], x: string[] = []) => names(nodes, selectNodes(nodes, s, x));
    expect(select([], ['resource_type:unit_test'])).toEqual(
      names(nodes, nodes.keys()).filter((n) => n !== 'revenue_sums'),
    );
    expect(select(['resource_type:unit_test'])).toEqual(['revenue_sums']);
    expect(() => select(['resource_type:seed'])).toThrow("Unknown resource type in 'resource_type:seed'");
  });

  it('orders only what is selected', () => {
    const nodes = graph();
    const { order, blockers } = buildPlan(nodes, selectNodes(nodes, ['revenue']));
    expect(order.map((id) => nodes.get(id)?.name)).toEqual(['revenue_sums', 'revenue']);
    expect(blockers.get('model.p.revenue')).toEqual(['unit_test.p.revenue_sums']);
  });

  it('orders selected nodes after selected ancestors reached through nodes left out', () => {
    // zeta ─ mid ─ alpha: with mid left out, alpha (first by name) still runs after zeta, and is
    // skipped when zeta fails (its blocker).
    const zeta = model('zeta', []);
    const mid = model('mid', [zeta.id]);
    const alpha = model('alpha', [mid.id]);
    const nodes = new Map<string, Node>([zeta, mid, alpha].map((n) => [n.id, n]));
    const { order, blockers } = buildPlan(nodes, selectNodes(nodes, ['alpha', 'zeta']));
    expect(order.map((id) => nodes.get(id)?.name)).toEqual(['zeta', 'alpha']);
    expect(blockers.get(alpha.id)).toEqual([zeta.id]);
  });
});
