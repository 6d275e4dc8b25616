/**
 * Column-mapping profiles: how one ERP's export layout maps onto the ARLens contract.
 * Profiles are data (YAML under ingest/profiles/ or any path), so a new ERP layout needs no code.
 * See docs/profiles.md for the format.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONTRACT, ENTITY_NAMES, type EntityName } from './contract.ts';

export const BUILTIN_PROFILE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

const Encoding = z.enum(['utf-8', 'shift_jis', 'windows-1252']);

export const FormatSchema = z.strictObject({
  /** CSV field delimiter (',' ';' '\t' '|'). */
  delimiter: z.string().min(1).max(2).optional(),
  encoding: Encoding.optional(),
  decimal_separator: z.enum(['.', ',']).optional(),
  /** Thousands separator in numbers: '', ',', '.', ' ' or "'". */
  thousands_separator: z.enum(['', ',', '.', ' ', "'"]).optional(),
  /** strptime formats tried in order (ISO YYYY-MM-DD is always accepted as well). */
  date_format: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  /** XLSX sheet name (default: the first sheet). */
  sheet: z.string().optional(),
  /** Rows above the header to skip (report titles in some exports). */
  skip_rows: z.number().int().min(0).optional(),
  /**
   * For exports that write a document's own fields on its first row only and leave them empty on the
   * rows of its child-table lines (Odoo's export of one2many/many2many fields, Frappe's Data Export):
   * the first column listed is the document's key; a row where it is empty takes the document's value
   * in every listed column. Rows with a key keep their own values.
   */
  fill_down: z.array(z.string().min(1)).min(1).optional(),
});
export type FormatOptions = z.infer<typeof FormatSchema>;

const WhereSchema = z.union([
  z.strictObject({ column: z.string().min(1), in: z.array(z.string()).min(1) }),
  z.strictObject({ column: z.string().min(1), not_in: z.array(z.string()).min(1) }),
  z.strictObject({ column: z.string().min(1), not_empty: z.literal(true) }),
  z.strictObject({ column: z.string().min(1), empty: z.literal(true) }),
  /** A negative number in any sign form the loader reads (-5, 5-, (5)). */
  z.strictObject({ column: z.string().min(1), negative: z.literal(true) }),
]);
export type Where = z.infer<typeof WhereSchema>;

/**
 * Rows a profile knows must not load (a cancelled or draft document, a supplier's payment): they are
 * quarantined once per file as `excluded_by_profile` with `reason`, and no mapping takes them.
 */
const ExcludeSchema = z.strictObject({
  /** File-name glob(s) the rule applies to, as in a mapping. */
  files: z.union([z.string(), z.array(z.string()).min(1)]),
  /** Every condition must hold for a row to be excluded. */
  when: z.array(WhereSchema).min(1),
  /** Why the row does not load and what to do if it should: shown with the row in the quarantine. */
  reason: z.string().min(1),
});
export type Exclude = z.infer<typeof ExcludeSchema>;

/** How one contract field gets its value. A plain string names the source column. */
const ColumnSpec = z.union([
  z.string().min(1),
  z.strictObject({
    column: z.string().min(1),
    /** Translate source values (e.g. ERP codes) before validation; unmapped values pass unchanged. */
    map: z.record(z.string(), z.string()).optional(),
    /**
     * The value for a non-empty source value the map does not list (e.g. `other` for a payment
     * method the profile does not know). Each load notes which values fell back (meta.load_notes).
     */
    otherwise: z.string().optional(),
    /** Flip the sign (SAP shows receipts as negative amounts). */
    negate: z.boolean().optional(),
    /** Value to use when the source cell is empty. */
    default: z.string().optional(),
    /**
     * Column to read instead when this one is empty or a zero number (ERPNext writes Rounded Total 0
     * when rounding is off: the receivable is then the Grand Total).
     */
    fallback_column: z.string().min(1).optional(),
  }),
  z.strictObject({ constant: z.string() }),
  /** Build text from columns: "SETTLE-{invoiceNumber}"; the result may be translated with map/otherwise. */
  z.strictObject({
    template: z.string().min(1),
    map: z.record(z.string(), z.string()).optional(),
    otherwise: z.string().optional(),
  }),
]);
export type ColumnSpec = z.infer<typeof ColumnSpec>;

const MappingSchema = z.strictObject({
  entity: z.enum(ENTITY_NAMES),
  /** File-name glob(s) this mapping takes (matched on the base name, case-insensitive). */
  files: z.union([z.string(), z.array(z.string()).min(1)]),
  /** Only rows meeting every condition feed this mapping (e.g. a document type). */
  where: z.array(WhereSchema).min(1).optional(),
  /** The file repeats this entity on many rows (e.g. customers on invoice lines): keep the first row per key. */
  distinct: z.boolean().optional(),
  format: FormatSchema.optional(),
  /** Contract field -> source. Fields not listed are read from a column of the same name, if present. */
  columns: z.record(z.string(), ColumnSpec).default({}),
});
export type Mapping = z.infer<typeof MappingSchema>;

const ProfileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string(),
  description: z.string(),
  format: FormatSchema.default({}),
  exclude: z.array(ExcludeSchema).default([]),
  mappings: z.array(MappingSchema).min(1),
});
export type Profile = z.infer<typeof ProfileSchema>;

export interface ResolvedFormat {
  readonly delimiter: string;
  readonly encoding: z.infer<typeof Encoding>;
  readonly decimalSeparator: '.' | ',';
  readonly thousandsSeparator: string;
  readonly dateFormats: readonly string[];
  readonly sheet: string | undefined;
  readonly skipRows: number;
  readonly fillDown: readonly string[];
}

/** Format options in force: the profile's, then the mapping's, then the caller's overrides (CLI flags). */
export function resolveFormat(
  profile: Profile,
  mapping: Mapping,
  override: FormatOptions = {},
): ResolvedFormat {
  const f = { ...profile.format, ...mapping.format, ...override };
  // Overriding the decimal separator alone also resets the thousands separator to its counterpart.
  if (override.decimal_separator && override.thousands_separator === undefined) delete f.thousands_separator;
  const decimalSeparator = f.decimal_separator ?? '.';
  const thousandsSeparator = f.thousands_separator ?? (decimalSeparator === ',' ? '.' : ',');
  if (thousandsSeparator === decimalSeparator) {
    throw new Error(`Profile ${profile.name}: the thousands separator cannot also be the decimal separator.`);
  }
  const dateFormat = f.date_format ?? '%Y-%m-%d';
  return {
    delimiter: f.delimiter ?? ',',
    encoding: f.encoding ?? 'utf-8',
    decimalSeparator,
    thousandsSeparator,
    dateFormats: Array.isArray(dateFormat) ? dateFormat : [dateFormat],
    sheet: f.sheet,
    skipRows: f.skip_rows ?? 0,
    fillDown: f.fill_down ?? [],
  };
}

/** Validate a parsed profile, also against the contract (field names must exist). */
export function parseProfile(value: unknown, source: string): Profile {
  const result = ProfileSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`Profile ${source} is not valid:\n${problems.join('\n')}`);
  }
  const profile = result.data;
  for (const [i, m] of profile.mappings.entries()) {
    for (const [field, cs] of Object.entries(m.columns)) {
      if (
        typeof cs === 'object' &&
        !('constant' in cs) &&
        cs.otherwise !== undefined &&
        cs.map === undefined
      ) {
        throw new Error(
          `Profile ${source}, mapping ${i + 1} (${m.entity}): "${field}" has "otherwise" but no "map"; ` +
            'otherwise is the value for source values the map does not list.',
        );
      }
    }
    const known = new Set(CONTRACT[m.entity].fields.map((f) => f.name));
    for (const field of Object.keys(m.columns)) {
      if (!known.has(field)) {
        throw new Error(
          `Profile ${source}, mapping ${i + 1} (${m.entity}): "${field}" is not a field of ${m.entity}. ` +
            `Fields: ${[...known].join(', ')}.`,
        );
      }
    }
  }
  return profile;
}

export async function loadProfile(nameOrPath: string): Promise<Profile> {
  const looksLikePath = nameOrPath.includes('/') || /\.(ya?ml|json)$/i.test(nameOrPath);
  const path = looksLikePath ? nameOrPath : join(BUILTIN_PROFILE_DIR, `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    const names = (await listBuiltinProfiles()).join(', ');
    throw new Error(`No profile "${nameOrPath}" (looked for ${path}). Built-in profiles: ${names}.`);
  }
  const value =
    extname(path).toLowerCase() === '.json' ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  return parseProfile(value, path);
}

export async function listBuiltinProfiles(): Promise<string[]> {
  const names = await fs.readdir(BUILTIN_PROFILE_DIR);
  return names
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -5))
    .sort();
}

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

const matchesFiles = (files: string | readonly string[], name: string) =>
  (Array.isArray(files) ? files : [files]).some((g) => globToRegExp(g).test(name));

/** The mappings of `profile` that take the file at `path` (by base name), optionally only for one entity. */
export function mappingsForFile(profile: Profile, path: string, entity?: EntityName): Mapping[] {
  const name = basename(path);
  return profile.mappings.filter((m) => (entity ? m.entity === entity : matchesFiles(m.files, name)));
}

/** The exclusion rules of `profile` for the file at `path` (by base name). */
export function exclusionsForFile(profile: Profile, path: string): Exclude[] {
  const name = basename(path);
  return profile.exclude.filter((x) => matchesFiles(x.files, name));
}
