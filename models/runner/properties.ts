/**
 * The YAML a dbt project is written in: `dbt_project.yml` and property files (`models:`, `sources:`,
 * `unit_tests:`), checked on read so a typo fails with the file and the key. Keys the runner does not
 * use (seeds, exposures, docs, …) are ignored, as dbt ignores what it does not know.
 */
import { promises as fs } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const record = z.record(z.string(), z.unknown());
const rows = z
  .array(record)
  .nullish()
  .transform((v) => v ?? []);

/** A data test entry: `unique`, or `{accepted_values: {values: [...], config: {...}}}`. */
const testEntry = z.union([z.string(), record]);
const testList = z
  .array(testEntry)
  .nullish()
  .transform((v) => v ?? []);

const column = z
  .object({
    name: z.string(),
    description: text,
    data_type: z.string().nullish(),
    data_tests: testList,
    tests: testList,
  })
  .transform(({ data_tests, tests, ...c }) => ({ ...c, data_tests: [...data_tests, ...tests] }));

const columns = z
  .array(column)
  .nullish()
  .transform((v) => v ?? []);

const model = z
  .object({
    name: z.string(),
    description: text,
    config: record.nullish().transform((v) => v ?? {}),
    columns,
    data_tests: testList,
    tests: testList,
  })
  .transform(({ data_tests, tests, ...m }) => ({ ...m, data_tests: [...data_tests, ...tests] }));

const sourceTable = z
  .object({
    name: z.string(),
    identifier: z.string().nullish(),
    description: text,
    columns,
    data_tests: testList,
    tests: testList,
  })
  .transform(({ data_tests, tests, ...t }) => ({ ...t, data_tests: [...data_tests, ...tests] }));

const source = z.object({
  name: z.string(),
  schema: z.string().nullish(),
  description: text,
  tables: z
    .array(sourceTable)
    .nullish()
    .transform((v) => v ?? []),
});

const unitTest = z.object({
  name: z.string(),
  model: z.string(),
  description: text,
  given: z
    .array(z.object({ input: z.string(), rows, format: z.literal('dict').optional() }))
    .nullish()
    .transform((v) => v ?? []),
  expect: z.object({ rows, format: z.literal('dict').optional() }),
  overrides: z
    .object({
      vars: record.nullish().transform((v) => v ?? {}),
      macros: z
        .object({ is_incremental: z.boolean().optional() })
        .nullish()
        .transform((v) => v ?? {}),
    })
    .nullish()
    .transform((v) => v ?? { vars: {}, macros: {} }),
});

const propertiesFile = z.object({
  models: z
    .array(model)
    .nullish()
    .transform((v) => v ?? []),
  sources: z
    .array(source)
    .nullish()
    .transform((v) => v ?? []),
  unit_tests: z
    .array(unitTest)
    .nullish()
    .transform((v) => v ?? []),
});

const projectFile = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a project name is letters, digits and _'),
  profile: z.string().nullish(),
  'model-paths': z.array(z.string()).default(['models']),
  'macro-paths': z.array(z.string()).default(['macros']),
  'test-paths': z.array(z.string()).default(['tests']),
  vars: record.nullish().transform((v) => v ?? {}),
  models: record.nullish().transform((v) => v ?? {}),
});

export type Properties = z.infer<typeof propertiesFile>;
export type ModelProperties = z.infer<typeof model>;
export type ColumnProperties = z.infer<typeof column>;
export type SourceProperties = z.infer<typeof source>;
export type UnitTestProperties = z.infer<typeof unitTest>;
export type TestEntry = z.infer<typeof testEntry>;
export type ProjectFile = z.infer<typeof projectFile>;

async function readYaml<T>(path: string, shown: string, schema: z.ZodType<T>): Promise<T> {
  let data: unknown;
  try {
    data = parseYaml(await fs.readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${shown}: ${(e as Error).message}`, { cause: e });
  }
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw new Error(`${shown}: ${z.prettifyError(result.error)}`);
  return result.data;
}

export function readProjectFile(path: string, shown: string): Promise<ProjectFile> {
  return readYaml(path, shown, projectFile);
}

export function readProperties(path: string, shown: string): Promise<Properties> {
  return readYaml(path, shown, propertiesFile);
}
