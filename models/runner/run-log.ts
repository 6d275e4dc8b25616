/**
 * What a build leaves behind: `meta.model_runs` (one row per node and run) and `meta.manifest` (the
 * project's nodes, for the dashboard's lineage), written in the same warehouse generation as the
 * models; and `manifest.json` / `run_results.json` beside the warehouse for people.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableExists, type Query, type Row } from '../../warehouse/convert.ts';
import { Params } from '../../warehouse/duckdb.ts';
import { asSession, type SqlSession } from '../../warehouse/session.ts';
import type { Node, Project } from './project.ts';

export type NodeStatus = 'success' | 'error' | 'skipped' | 'warn';

export interface NodeResult {
  readonly nodeId: string;
  readonly name: string;
  readonly kind: 'model' | 'test' | 'unit_test';
  readonly path: string;
  readonly status: NodeStatus;
  /** Models: rows in the table or rows merged (null for views). */
  readonly rowsAffected: number | null;
  /** Tests: failing rows; unit tests: differing rows. */
  readonly failures: number | null;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly message: string;
  readonly compiledSql: string | null;
}

export interface ManifestColumn {
  readonly name: string;
  readonly description: string;
  readonly data_type: string | null;
  readonly tests: readonly string[];
}

export interface ManifestNode {
  readonly id: string;
  readonly kind: Node['kind'];
  readonly name: string;
  readonly path: string;
  readonly materialization: string | null;
  readonly schema: string | null;
  readonly relation: string | null;
  readonly description: string;
  readonly tags: readonly string[];
  readonly columns: readonly ManifestColumn[];
  readonly depends_on: readonly string[];
  /** Data tests and unit tests on this node. */
  readonly tests: readonly string[];
}

export interface Manifest {
  readonly project: string;
  readonly run_id: string;
  readonly generated_at: string;
  readonly nodes: Readonly<Record<string, ManifestNode>>;
}

function testsOf(project: Project, id: string, column: string | null): string[] {
  return [...project.nodes.values()]
    .filter((t) =>
      t.kind === 'test'
        ? column === null
          ? t.dependsOn.includes(id)
          : t.generic?.attachedTo === id && t.generic.column === column
        : t.kind === 'unit_test' && column === null && t.model === id,
    )
    .map((t) => t.id);
}

export function manifestOf(project: Project, runId: string, generatedAt: string): Manifest {
  const nodes: Record<string, ManifestNode> = {};
  for (const node of project.nodes.values()) {
    const columns = node.kind === 'model' || node.kind === 'source' ? node.columns : [];
    nodes[node.id] = {
      id: node.id,
      kind: node.kind,
      name: node.name,
      path: node.path,
      materialization: node.kind === 'model' ? node.materialized : null,
      schema: node.kind === 'model' || node.kind === 'source' ? node.schema : null,
      relation: node.kind === 'model' || node.kind === 'source' ? node.relation : null,
      description: node.description,
      tags: node.tags,
      columns: columns.map((c) => ({
        name: c.name,
        description: c.description,
        data_type: c.dataType,
        tests: testsOf(project, node.id, c.name),
      })),
      depends_on: node.kind === 'unit_test' ? [node.model, ...node.dependsOn] : node.dependsOn,
      tests: testsOf(project, node.id, null),
    };
  }
  return { project: project.name, run_id: runId, generated_at: generatedAt, nodes };
}

export interface RunResults {
  readonly run_id: string;
  readonly generated_at: string;
  readonly elapsed_ms: number;
  readonly success: boolean;
  readonly results: readonly NodeResult[];
}

/** Append the run's rows to meta.model_runs and replace meta.manifest, in the build's connection. */
export async function writeRunLog(
  target: SqlSession | DuckDBConnection,
  runResults: RunResults,
  manifest: Manifest,
) {
  const session = asSession(target);
  await session.run('CREATE SCHEMA IF NOT EXISTS meta');
  await session.run(`CREATE TABLE IF NOT EXISTS meta.model_runs (
    run_id VARCHAR NOT NULL,
    node_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_affected BIGINT,
    failures BIGINT,
    started_at TIMESTAMP NOT NULL,
    duration_ms BIGINT NOT NULL,
    message VARCHAR NOT NULL,
    compiled_sql VARCHAR
  )`);
  await session.run(`CREATE TABLE IF NOT EXISTS meta.manifest (
    run_id VARCHAR NOT NULL,
    generated_at TIMESTAMP NOT NULL,
    json JSON NOT NULL
  )`);
  for (const r of runResults.results) {
    const p = new Params();
    const values = [
      runResults.run_id,
      r.nodeId,
      r.kind,
      r.status,
      r.rowsAffected,
      r.failures,
      r.startedAt,
      Math.round(r.durationMs),
      r.message,
      r.compiledSql,
    ].map((v) => p.add(v));
    await session.run(`INSERT INTO meta.model_runs VALUES (${values.join(', ')})`, p.values);
  }
  await session.run('DELETE FROM meta.manifest');
  await session.run('INSERT INTO meta.manifest VALUES ($1, $2, $3)', [
    manifest.run_id,
    manifest.generated_at,
    JSON.stringify(manifest),
  ]);
}

export async function writeJsonFile(dir: string, name: string, data: unknown): Promise<string> {
  const path = join(dir, name);
  await fs.writeFile(`${path}.tmp`, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
  await fs.rename(`${path}.tmp`, path);
  return path;
}

// ---------- readers (the Data page, `arlens status`): the tables written above, read back

export interface BuildStatus {
  readonly runId: string;
  readonly startedAt: string;
  readonly nodes: Row[];
}

/** The latest model build (arlens build): every node with its status, rows and duration; null before the first. */
export async function latestBuild(query: Query): Promise<BuildStatus | null> {
  if (!(await tableExists(query, 'meta', 'model_runs'))) return null;
  const nodes = await query(
    `WITH latest AS (SELECT run_id FROM meta.model_runs ORDER BY started_at DESC LIMIT 1)
     SELECT run_id, node_id, kind, status, rows_affected, failures, started_at, duration_ms, message
     FROM meta.model_runs WHERE run_id = (SELECT run_id FROM latest)
     ORDER BY started_at, node_id`,
  );
  const first = nodes[0];
  if (!first) return null;
  return { runId: String(first['run_id']), startedAt: String(first['started_at']), nodes };
}

export interface LineageNode {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly schema: string | null;
  readonly materialization: string | null;
  readonly description: string;
  readonly dependsOn: string[];
  readonly usedBy: string[];
}

/**
 * Lineage of sources and models from the latest manifest (meta.manifest): what each is built from
 * and what uses it, in layer order (sources, staging, intermediate, marts).
 */
export async function modelLineage(query: Query): Promise<LineageNode[]> {
  if (!(await tableExists(query, 'meta', 'manifest'))) return [];
  const rows = await query('SELECT json FROM meta.manifest ORDER BY generated_at DESC LIMIT 1');
  const json = rows[0]?.['json'];
  if (typeof json !== 'string') return [];
  const manifest = JSON.parse(json) as {
    nodes: Record<
      string,
      {
        id: string;
        kind: string;
        name: string;
        schema: string | null;
        materialization: string | null;
        description?: string;
        depends_on: string[];
      }
    >;
  };
  const nodes = Object.values(manifest.nodes).filter((n) => n.kind === 'source' || n.kind === 'model');
  const ids = new Set(nodes.map((n) => n.id));
  const name = new Map(nodes.map((n) => [n.id, n.name]));
  const usedBy = new Map<string, string[]>();
  for (const n of nodes) {
    for (const d of n.depends_on) if (ids.has(d)) usedBy.set(d, [...(usedBy.get(d) ?? []), n.name]);
  }
  const layer = (n: { kind: string; schema: string | null }) =>
    n.kind === 'source'
      ? 0
      : (({ staging: 1, intermediate: 2, marts: 3 } as Record<string, number>)[n.schema ?? ''] ?? 4);
  return nodes
    .map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      schema: n.schema,
      materialization: n.materialization,
      description: n.description ?? '',
      dependsOn: n.depends_on.filter((d) => ids.has(d)).map((d) => name.get(d) ?? d),
      usedBy: (usedBy.get(n.id) ?? []).sort(),
    }))
    .sort((a, b) => layer(a) - layer(b) || a.name.localeCompare(b.name));
}
