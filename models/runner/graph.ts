/**
 * The DAG of a project: cycle check, node selection (dbt's `--select`/`--exclude` syntax) and the
 * order `build` runs nodes in.
 *
 * Build order is dbt's: a model's unit tests run before it, its data tests right after it, and its
 * children after those tests (a failing test skips them). A test does not block a child that it itself
 * reads (a relationships test from orders to customers does not block orders).
 */
import type { Node } from './nodes.ts';

type Nodes = ReadonlyMap<string, Node>;

/** Throw when refs form a cycle, naming it: `a -> b -> a`. */
export function assertAcyclic(nodes: Nodes): void {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      const cycle = [...path.slice(path.indexOf(id)), id].map((n) => nodes.get(n)?.name ?? n);
      throw new Error(`Found a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(id, 'open');
    path.push(id);
    for (const parent of nodes.get(id)?.dependsOn ?? []) visit(parent);
    path.pop();
    state.set(id, 'done');
  };
  for (const id of nodes.keys()) visit(id);
}

function children(nodes: Nodes): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const node of nodes.values()) {
    for (const parent of node.dependsOn) out.set(parent, [...(out.get(parent) ?? []), node.id]);
  }
  return out;
}

function closure(start: Iterable<string>, next: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    for (const n of next(id)) {
      if (!seen.has(n)) {
        seen.add(n);
        todo.push(n);
      }
    }
  }
  return seen;
}

/** What a `resource_type:` selector names, in dbt's words. */
const RESOURCE_TYPES: Readonly<Record<string, Node['kind']>> = {
  model: 'model',
  source: 'source',
  test: 'test',
  unit_test: 'unit_test',
};

function matches(n: Node, name: string): boolean {
  if (name.startsWith('tag:')) return n.tags.includes(name.slice(4));
  if (name.startsWith('resource_type:')) {
    const kind = RESOURCE_TYPES[name.slice('resource_type:'.length)];
    if (kind === undefined) {
      throw new Error(`Unknown resource type in '${name}' (use ${Object.keys(RESOURCE_TYPES).join(', ')})`);
    }
    return n.kind === kind;
  }
  return n.name === name;
}

/**
 * Nodes one selector names: `name`, `+name` (and ancestors), `name+` (and descendants), `tag:x`,
 * `resource_type:model|test|unit_test|source`.
 */
function resolveSelector(nodes: Nodes, selector: string, kids: Map<string, string[]>): Set<string> {
  const m = /^(\+?)(.+?)(\+?)$/.exec(selector.trim());
  if (!m) throw new Error(`Invalid selector: '${selector}'`);
  const [, up, name = '', down] = m;
  const base = [...nodes.values()].filter((n) => matches(n, name)).map((n) => n.id);
  if (base.length === 0) throw new Error(`No node matches the selector '${selector}'`);
  const out = new Set(base);
  if (up) for (const id of closure(base, (id) => nodes.get(id)?.dependsOn ?? [])) out.add(id);
  if (down) for (const id of closure(base, (id) => kids.get(id) ?? [])) out.add(id);
  return out;
}

/**
 * The nodes a build runs: the union of `select` (every model when empty) minus `exclude`, plus the
 * data tests that read a selected node and no excluded one, and the unit tests of selected models
 * (dbt's eager indirect selection).
 */
export function selectNodes(nodes: Nodes, select: readonly string[] = [], exclude: readonly string[] = []) {
  const kids = children(nodes);
  // dbt also takes several selectors in one argument, separated by spaces.
  const union = (selectors: readonly string[]) =>
    new Set(
      selectors
        .flatMap((s) => s.split(/\s+/).filter(Boolean))
        .flatMap((s) => [...resolveSelector(nodes, s, kids)]),
    );
  const chosen =
    select.length === 0
      ? new Set([...nodes.values()].filter((n) => n.kind === 'model' || n.kind === 'source').map((n) => n.id))
      : union(select);
  const excluded = union(exclude);
  for (const id of excluded) chosen.delete(id);
  for (const node of nodes.values()) {
    if (excluded.has(node.id)) continue;
    const parents = node.dependsOn;
    if (node.kind === 'test' && parents.some((p) => chosen.has(p)) && !parents.some((p) => excluded.has(p))) {
      chosen.add(node.id);
    }
    if (node.kind === 'unit_test' && chosen.has(node.model)) chosen.add(node.id);
  }
  return chosen;
}

export interface BuildPlan {
  /** Models, data tests and unit tests to run, in order (sources are read, never run). */
  readonly order: readonly string[];
  /** For each node in `order`, the nodes in `order` that must succeed first. */
  readonly blockers: ReadonlyMap<string, readonly string[]>;
}

/** Among nodes ready to run: data tests first (right after their model), then unit tests, models. */
const RANK = { test: 0, unit_test: 1, model: 2, source: 3 } as const;

/** Order `selected` for a build (see the module comment). */
export function buildPlan(nodes: Nodes, selected: ReadonlySet<string>): BuildPlan {
  const kids = children(nodes);
  const run = [...selected].filter((id) => nodes.get(id)?.kind !== 'source');
  const blockers = new Map<string, Set<string>>(run.map((id) => [id, new Set()]));
  const block = (before: string, after: string) => {
    if (blockers.has(before)) blockers.get(after)?.add(before);
  };
  const ancestors = (id: string) => closure([id], (n) => nodes.get(n)?.dependsOn ?? []);
  // The nearest nodes to run upstream of `id`, through nodes left out of the selection (as dbt keeps
  // those edges: with `a` and `c` selected and `b` between them not, `c` still runs after `a`).
  const inRun = new Set(run);
  const upstream = (id: string): Set<string> => {
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (p: string): void => {
      if (seen.has(p)) return;
      seen.add(p);
      if (inRun.has(p)) out.add(p);
      else for (const q of nodes.get(p)?.dependsOn ?? []) walk(q);
    };
    for (const p of nodes.get(id)?.dependsOn ?? []) walk(p);
    return out;
  };
  for (const id of run) {
    const node = nodes.get(id) as Node;
    for (const parent of upstream(id)) block(parent, id);
    if (node.kind === 'unit_test') block(id, node.model);
    if (node.kind === 'test') {
      const upstream = ancestors(id);
      for (const parent of node.dependsOn) {
        for (const child of kids.get(parent) ?? []) {
          if (nodes.get(child)?.kind === 'model' && !upstream.has(child)) block(id, child);
        }
      }
    }
  }
  const dependents = new Map<string, string[]>();
  for (const [id, before] of blockers)
    for (const b of before) dependents.set(b, [...(dependents.get(b) ?? []), id]);
  const waiting = new Map([...blockers].map(([id, before]) => [id, before.size]));
  const key = (id: string) => {
    const n = nodes.get(id) as Node;
    return `${RANK[n.kind]}:${n.name}:${id}`;
  };
  const order: string[] = [];
  const ready = run.filter((id) => waiting.get(id) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => key(a).localeCompare(key(b)));
    const next = ready.shift() as string;
    order.push(next);
    for (const d of dependents.get(next) ?? []) {
      const left = (waiting.get(d) ?? 0) - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length !== run.length) {
    const stuck = run.filter((id) => !order.includes(id)).map((id) => nodes.get(id)?.name);
    throw new Error(`internal: no build order for ${stuck.join(', ')}`);
  }
  return { order, blockers: new Map([...blockers].map(([id, before]) => [id, [...before]])) };
}
