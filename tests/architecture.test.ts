/**
 * The import graph stays layered: no file imports another that (directly or not) imports it back,
 * and no folder imports a folder above it. From the top:
 *
 *   bin → cli → server → web → cube | collections | alerts | bi → auth | cashapp | credit → models | ml | ingest | forecast → ops | warehouse | core
 *
 * A folder may import its own tier and the tiers below. Tests are left out (they may import
 * anything). Reading imports as text is enough here: every import in this repository is a string
 * literal (`from '…'`, `import('…')`), which the second test checks.
 */
import { promises as fs } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

const TIERS: readonly (readonly string[])[] = [
  ['bin'],
  ['cli'],
  ['server'],
  ['web'],
  ['cube', 'collections', 'alerts', 'bi'],
  ['auth', 'cashapp', 'credit'],
  ['models', 'ml', 'ingest', 'forecast'],
  ['ops', 'warehouse', 'core'],
];
const tierOf = new Map(TIERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
const SOURCE = /\.(ts|js|svelte)$/;
const SKIP = new Set(['node_modules', 'build', '.svelte-kit', 'tests', 'data', 'test-results', 'coverage']);

async function sourceFiles(dir = ROOT): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (SOURCE.test(entry.name) && !entry.name.includes('.test.') && dir !== ROOT) out.push(path);
  }
  return out;
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g;
const DYNAMIC = /\bimport\s*\(\s*[^'"\s)]/;
/** Computed import() calls that load no source file of this repository, and why. */
const DYNAMIC_ALLOWED: Readonly<Record<string, string>> = {
  'ml/tf.ts': 'the optional @tensorflow/tfjs-node package, when a user has it',
  'server/index.ts': 'the built dashboard, build/web/handler.js',
};

async function resolveImport(from: string, spec: string): Promise<string | null> {
  let base: string;
  if (spec.startsWith('$lib/')) base = join(ROOT, 'web', 'lib', spec.slice(5));
  else if (spec.startsWith('.')) base = resolve(dirname(from), spec);
  else return null; // a package
  for (const candidate of [base, `${base}.ts`, `${base}.js`, `${base}.svelte`, join(base, 'index.ts')]) {
    const stat = await fs.stat(candidate).catch(() => undefined);
    if (stat?.isFile()) return candidate;
  }
  return null;
}

async function graph(): Promise<Map<string, string[]>> {
  const edges = new Map<string, string[]>();
  for (const file of await sourceFiles()) {
    const text = await fs.readFile(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const target = await resolveImport(file, m[2]!);
      if (target && target.startsWith(ROOT + sep)) targets.push(target);
    }
    edges.set(file, targets);
  }
  return edges;
}

const rel = (f: string) => relative(ROOT, f).split(sep).join('/');

/** Strongly connected components with more than one file (or a file importing itself). */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(scc.map(rel).sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the import graph', () => {
  it('has no circle: no file imports one that imports it back', async () => {
    expect(cycles(await graph())).toEqual([]);
  });

  it('runs one way: no folder imports a folder of a tier above it, and every import is a plain string', async () => {
    const edges = await graph();
    const upward: string[] = [];
    const untiered = new Set<string>();
    for (const [from, targets] of edges) {
      const top = rel(from).split('/')[0]!;
      const tier = tierOf.get(top);
      if (tier === undefined) untiered.add(top);
      for (const to of targets) {
        const target = rel(to).split('/')[0]!;
        const targetTier = tierOf.get(target);
        if (tier !== undefined && targetTier !== undefined && targetTier < tier) {
          upward.push(`${rel(from)} -> ${rel(to)}`);
        }
      }
      if (DYNAMIC.test(await fs.readFile(from, 'utf8')) && !(rel(from) in DYNAMIC_ALLOWED)) {
        upward.push(`${rel(from)}: import() of a computed name`);
      }
    }
    expect(upward).toEqual([]);
    // A new top-level folder of source code must be given its place in TIERS.
    expect([...untiered].sort()).toEqual([]);
  });

  it('sees the imports it checks (the graph is not empty, and a known edge is in it)', async () => {
    const edges = await graph();
    expect(edges.size).toBeGreaterThan(200);
    expect((edges.get(join(ROOT, 'cli', 'main.ts')) ?? []).map(rel)).toContain('cli/commands/build.ts');
  });
});
