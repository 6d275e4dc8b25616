/**
 * Validation as SQL: from a source relation (all text) and a mapping, one query that yields each
 * row's typed contract fields plus the list of everything wrong with it. DuckDB runs it in parallel,
 * which is why validation costs little more than reading the file.
 *
 * Layers: `src` (the file, filtered by the mapping's `where`) -> `txt` (the text each contract field
 * takes, after map/default/template) -> `typed` (parsed values, or NULL) -> `checked` (errors).
 */
import {
  CONTRACT,
  CURRENCIES,
  PLAUSIBLE_DATES,
  SCALE,
  SQL_TYPES,
  type DateWindow,
  type EntitySpec,
  type FieldSpec,
} from './contract.ts';
import { ident, Params, sqlString } from '../warehouse/duckdb.ts';
import type { ColumnSpec, Mapping, ResolvedFormat, Where } from './profile.ts';
import { shownSql } from './shown.ts';

/** Resolve a column named by a profile against the file's header (exact, then case-insensitive). */
export function resolveColumn(wanted: string, columns: readonly string[]): string | undefined {
  if (columns.includes(wanted)) return wanted;
  const norm = (s: string) => s.trim().toLowerCase();
  const hits = columns.filter((c) => norm(c) === norm(wanted));
  return hits.length === 1 ? hits[0] : undefined;
}

export class HeaderMismatchError extends Error {}

function templateColumns(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
}

/** How a mapping's columns meet a file's header: what each needs, found or not. */
export interface HeaderFit {
  /** Profile column name -> the header's column. */
  readonly resolved: Map<string, string>;
  /** Contract field (or what else needs it) -> the header column it reads; templates list each part. */
  readonly mapped: readonly { readonly field: string; readonly column: string }[];
  /** Columns the mapping needs and the header lacks, with what for. */
  readonly missing: readonly { readonly column: string; readonly why: string }[];
}

/** Every source column a mapping needs, by contract field, against a file's header (nothing thrown). */
export function fitHeader(
  mapping: Mapping,
  columns: readonly string[],
  /** Further columns the file needs (exclusion rules, fill-down), with what for. */
  extra: readonly { column: string; why: string }[] = [],
): HeaderFit {
  const spec = CONTRACT[mapping.entity];
  const resolved = new Map<string, string>();
  const mapped: { field: string; column: string }[] = [];
  const missing: { column: string; why: string }[] = [];
  const need = (wanted: string, why: string, field?: string) => {
    const hit = resolveColumn(wanted, columns);
    if (hit === undefined) {
      if (!missing.some((m) => m.column === wanted && m.why === why)) missing.push({ column: wanted, why });
    } else {
      resolved.set(wanted, hit);
      if (field !== undefined) mapped.push({ field, column: hit });
    }
  };
  for (const field of spec.fields) {
    const cs = mapping.columns[field.name];
    if (cs === undefined) {
      const hit = resolveColumn(field.name, columns);
      if (hit !== undefined) {
        resolved.set(field.name, hit);
        mapped.push({ field: field.name, column: hit });
      } else if (field.required) missing.push({ column: field.name, why: field.name });
    } else if (typeof cs === 'string') need(cs, field.name, field.name);
    else if ('column' in cs) {
      need(cs.column, field.name, field.name);
      if (cs.fallback_column !== undefined) need(cs.fallback_column, field.name, field.name);
    } else if ('template' in cs)
      for (const c of templateColumns(cs.template)) need(c, field.name, field.name);
  }
  for (const w of mapping.where ?? []) need(w.column, 'the row filter');
  for (const e of extra) need(e.column, e.why);
  return { resolved, mapped, missing };
}

/** Every source column a mapping needs, by contract field, checked against the header before loading. */
export function checkHeader(
  fileLabel: string,
  profileName: string,
  mapping: Mapping,
  columns: readonly string[],
  /** Further columns the file needs (exclusion rules, fill-down), with what for. */
  extra: readonly { column: string; why: string }[] = [],
): Map<string, string> {
  const { resolved, missing } = fitHeader(mapping, columns, extra);
  if (missing.length > 0) {
    throw new HeaderMismatchError(
      `${fileLabel}: profile "${profileName}" (${mapping.entity}) expects column ${missing.map((m) => `"${m.column}" (for ${m.why})`).join(', ')}, ` +
        `but the file's header has: ${columns.map((c) => `"${c}"`).join(', ')}. ` +
        `Check that this is the right file and profile (--profile), or adjust the profile's columns.`,
    );
  }
  return resolved;
}

/** Our own message text as an SQL string literal (never input data: that is always bound). */
const sqlText = sqlString;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Human form of a strptime format, for messages: %d.%m.%Y -> DD.MM.YYYY. */
export function humanDateFormat(fmt: string): string {
  return fmt
    .replaceAll('%d', 'DD')
    .replaceAll('%m', 'MM')
    .replaceAll('%Y', 'YYYY')
    .replaceAll('%y', 'YY')
    .replaceAll('%-d', 'D')
    .replaceAll('%-m', 'M')
    .replaceAll('%b', 'Mon');
}

function numberExample(format: ResolvedFormat, scale: number): string {
  const frac = scale > 0 ? format.decimalSeparator + '56'.padEnd(Math.min(scale, 2), '0') : '';
  return `1${format.thousandsSeparator}234${frac} or 1234${frac}`;
}

export interface ValidationSql {
  /** SELECT producing `_row`, the contract fields (typed) and `_bad` (anything wrong with the row). */
  readonly sql: string;
  /** SELECT producing `_row`, `_values` (the row's text as JSON) and `_errors` (column, code, reason, value). */
  readonly detail: string;
  /** Foreign keys to check on the typed rows: `column` must be a `key` of `table`. */
  readonly references: readonly { column: string; table: string; key: string }[];
  /** Parameters of both statements. */
  readonly params: readonly (string | number)[];
}

/** SQL condition (on `src`) for a mapping's `where`. */
export function whereSql(
  where: readonly Where[] | undefined,
  header: Map<string, string>,
  p: Params,
): string {
  if (!where || where.length === 0) return 'TRUE';
  return where
    .map((w) => {
      const col = `trim(${ident(header.get(w.column) ?? w.column)})`;
      if ('in' in w) return `coalesce(${col} IN (${w.in.map((v) => p.add(v)).join(', ')}), FALSE)`;
      if ('not_in' in w) return `coalesce(${col} NOT IN (${w.not_in.map((v) => p.add(v)).join(', ')}), TRUE)`;
      if ('empty' in w) return `coalesce(${col} = '', TRUE)`;
      if ('negative' in w)
        return `coalesce(regexp_full_match(${col}, '-.*[0-9].*|.*[0-9].*-|\\(.*[0-9].*\\)'), FALSE)`;
      return `coalesce(${col} <> '', FALSE)`;
    })
    .join(' AND ');
}

/** SQL condition (on `src`): the row meets one of the profile's exclusion rules for its file. */
export function excludedSql(
  exclusions: readonly (readonly Where[])[],
  header: Map<string, string>,
  p: Params,
): string {
  if (exclusions.length === 0) return 'FALSE';
  return exclusions.map((w) => `(${whereSql(w, header, p)})`).join(' OR ');
}

/**
 * The source relation with the format's fill-down columns filled. The first column listed is the
 * document's key: a row where it is empty is a child-table row of the document above it, and takes
 * that document's value in every listed column. Rows with a key keep their own values, empty or not.
 */
export function filledSourceSql(
  sourceSql: string,
  fillDown: readonly string[],
  header: Map<string, string>,
): string {
  const key = fillDown[0];
  if (key === undefined) return sourceSql;
  const col = (c: string) => ident(header.get(c) ?? c);
  const isChild = `nullif(trim(${col(key)}), '') IS NULL`;
  const replaced = fillDown.map(
    (c) =>
      `CASE WHEN ${isChild} THEN first_value(${col(c)}) OVER (PARTITION BY _doc ORDER BY _row) ELSE ${col(c)} END AS ${col(c)}`,
  );
  const numbered = `(SELECT *, sum(CASE WHEN ${isChild} THEN 0 ELSE 1 END) OVER (ORDER BY _row ROWS UNBOUNDED PRECEDING) AS _doc FROM ${sourceSql} d)`;
  return `(SELECT * EXCLUDE (_doc) REPLACE (${replaced.join(', ')}) FROM ${numbered} f)`;
}

function textExpr(
  field: FieldSpec,
  cs: ColumnSpec | undefined,
  header: Map<string, string>,
  p: Params,
): string {
  if (cs === undefined) {
    const col = header.get(field.name);
    return col === undefined ? 'NULL::VARCHAR' : ident(col);
  }
  if (typeof cs === 'string') return ident(header.get(cs) ?? cs);
  if ('constant' in cs) return `${p.add(cs.constant)}::VARCHAR`;
  let expr: string;
  if ('template' in cs) {
    const parts = cs.template.split(/(\{[^}]+\})/).filter((s) => s !== '');
    // NULL if any referenced column is empty: a half-built id is worse than none.
    expr = `(${parts
      .map((part) => {
        const m = /^\{([^}]+)\}$/.exec(part);
        return m ? `nullif(trim(${ident(header.get(m[1] ?? '') ?? '')}), '')` : `${p.add(part)}::VARCHAR`;
      })
      .join(' || ')})`;
  } else {
    expr = ident(header.get(cs.column) ?? cs.column);
    if (cs.fallback_column !== undefined) {
      const other = ident(header.get(cs.fallback_column) ?? cs.fallback_column);
      const zero = `regexp_full_match(trim(${expr}), '[+-]?0*([.,]0*)?-?')`;
      expr = `(CASE WHEN nullif(trim(${expr}), '') IS NULL OR ${zero} THEN ${other} ELSE ${expr} END)`;
    }
  }
  if (cs.map && Object.keys(cs.map).length > 0) {
    const whens = Object.entries(cs.map)
      .map(([from, to]) => `WHEN ${p.add(from)} THEN ${p.add(to)}`)
      .join(' ');
    const rest =
      cs.otherwise === undefined
        ? expr
        : `CASE WHEN nullif(trim(${expr}), '') IS NULL THEN ${expr} ELSE ${p.add(cs.otherwise)} END`;
    expr = `(CASE trim(${expr}) ${whens} ELSE ${rest} END)`;
  }
  if ('default' in cs && cs.default !== undefined)
    expr = `coalesce(nullif(trim(${expr}), ''), ${p.add(cs.default)})`;
  return expr;
}

interface FieldSql {
  typed: string;
  /** Cheap test, evaluated on every row: is anything wrong with this field? */
  bad: string;
  /** Error checks: [condition, reason_code, reason message SQL]. */
  checks: [string, string, string][];
}

/** The text a contract field takes, as a column of the `txt`/`typed` layers. */
const txtCol = (name: string) => ident(`t:${name}`);
const typedCol = (name: string) => `typed.${ident(name)}`;
/** The same text trimmed, NULL when empty: computed once per field in the `txt` layer. */
const valCol = (name: string) => ident(`v:${name}`);

/** What to do about a date outside the plausible window (the reason names the window). */
export function implausibleDateReason(dates: DateWindow): string {
  return (
    `date outside the plausible range ${dates.from} to ${dates.to} (a typo such as year 9999?): ` +
    'correct it in the ERP and export again; if the date is right, widen plausible_dates in arlens.config.yaml'
  );
}

/** Characters that never belong in exported text (both are invisible in a spreadsheet). */
const NUL = 'chr(0)';
const BOM = 'chr(65279)';

function fieldSql(
  field: FieldSpec,
  cs: ColumnSpec | undefined,
  format: ResolvedFormat,
  dates: DateWindow,
  p: Params,
): FieldSql {
  const t = txtCol(field.name);
  const v = valCol(field.name);
  const msg = sqlText;
  const checks: [string, string, string][] = [];
  let typed: string;
  const present = `${v} IS NOT NULL`;
  switch (field.type) {
    case 'text':
      // Keys and references are trimmed (fixed-width exports pad them); other text is kept as given.
      typed = field.references || field.name.endsWith('_id') ? v : `CASE WHEN ${present} THEN ${t} END`;
      break;
    case 'money':
    case 'rate':
    case 'integer': {
      const scale = SCALE[field.type] ?? 0;
      const d = escapeRegex(format.decimalSeparator);
      const th = format.thousandsSeparator;
      // Sign: leading +/-, SAP-style trailing minus, or accounting parentheses.
      const signed = `CASE WHEN ${v} LIKE '%-' THEN '-' || rtrim(${v}, '-') WHEN ${v} LIKE '(%)' THEN '-' || trim(${v}, '()') ELSE ${v} END`;
      const grouped = th === '' ? '' : `|[+-]?[0-9]{1,3}(${escapeRegex(th)}[0-9]{3})+`;
      const shape = `^([+-]?[0-9]+${grouped})(${d}[0-9]+)?$`;
      let plain = `(${signed})`;
      if (th !== '') plain = `replace(${plain}, ${p.add(th)}, '')`;
      if (format.decimalSeparator === ',') plain = `replace(${plain}, ',', '.')`;
      const scaleOk = `regexp_full_match(${plain}, ${p.add(`^[+-]?[0-9]+(\\.[0-9]{0,${scale}}0*)?$`)})`;
      const wellFormed = `regexp_full_match(${signed}, ${p.add(shape)})`;
      const sqlType = SQL_TYPES[field.type];
      const parsed = `TRY_CAST(${plain} AS ${sqlType})`;
      const negate = typeof cs === 'object' && 'negate' in cs && cs.negate === true;
      // Fast path for the common plain form (-1234.56), one regex; the general form only when it fails.
      const simple = `regexp_full_match(${v}, ${p.add(`^-?[0-9]{1,15}(${d}[0-9]{1,${Math.max(scale, 1)}})?$`)})`;
      const simpleValue = `CAST(${format.decimalSeparator === ',' ? `replace(${v}, ',', '.')` : v} AS ${sqlType})`;
      const sign = (x: string) => (negate ? `-${x}` : x);
      typed = `CASE WHEN ${simple} AND ${scale === 0 ? `NOT contains(${v}, ${p.add(format.decimalSeparator)})` : 'TRUE'} THEN ${sign(simpleValue)}
        WHEN ${wellFormed} AND ${scaleOk} THEN ${sign(parsed)} END`;
      checks.push([
        `${present} AND NOT ${wellFormed}`,
        'bad_type',
        msg(`not a number in this profile's format (expected e.g. ${numberExample(format, scale)})`),
      ]);
      checks.push([
        `${present} AND ${wellFormed} AND NOT ${scaleOk}`,
        'too_many_decimals',
        msg(
          scale === 0
            ? 'must be a whole number'
            : `more than ${scale} decimal places (ARLens never rounds amounts)`,
        ),
      ]);
      checks.push([
        `${present} AND ${wellFormed} AND ${scaleOk} AND ${parsed} IS NULL`,
        'bad_type',
        msg('number out of range'),
      ]);
      if (field.min) {
        const cmp = field.min.exclusive ? '<=' : '<';
        const reason =
          field.min.value === 0 && !field.min.exclusive
            ? `negative ${field.name.replaceAll('_', ' ')}`
            : `${field.name.replaceAll('_', ' ')} must be greater than ${field.min.value}`;
        checks.push([`${typedCol(field.name)} ${cmp} ${field.min.value}`, 'below_minimum', msg(reason)]);
      }
      break;
    }
    case 'date': {
      // ISO (YYYY-MM-DD) is always accepted, and alone needs no strptime.
      const tries = format.dateFormats
        .filter((f) => f !== '%Y-%m-%d')
        .map((f) => `try_strptime(${v}, ${p.add(f)})::DATE`);
      typed =
        tries.length === 0
          ? `TRY_CAST(${v} AS DATE)`
          : `coalesce(${[...tries, `TRY_CAST(${v} AS DATE)`].join(', ')})`;
      const human = format.dateFormats.map(humanDateFormat).join(' or ');
      checks.push([
        `${present} AND ${typedCol(field.name)} IS NULL`,
        'bad_type',
        msg(`not a valid date (expected ${human})`),
      ]);
      checks.push([
        implausible(typedCol(field.name), dates),
        'implausible_date',
        msg(implausibleDateReason(dates)),
      ]);
      break;
    }
    case 'currency': {
      // Codes come from contract.ts (validated A-Z), not from input, so they are inlined as a list.
      const list = [...CURRENCIES].map((c) => `'${c}'`).join(',');
      typed = `CASE WHEN upper(${v}) IN (${list}) THEN upper(${v}) END`;
      checks.push([
        `${present} AND ${typedCol(field.name)} IS NULL`,
        'unknown_currency',
        msg('unknown currency code (expected an ISO 4217 code such as EUR, USD or JPY)'),
      ]);
      break;
    }
    case 'country':
      typed = `CASE WHEN regexp_full_match(upper(${v}), '[A-Z]{2}') THEN upper(${v}) END`;
      checks.push([
        `${present} AND ${typedCol(field.name)} IS NULL`,
        'bad_country',
        msg('not an ISO 3166 two-letter country code (e.g. DE, JP, US)'),
      ]);
      break;
    case 'enum': {
      const values = field.values ?? [];
      const list = values.map((x) => p.add(x)).join(', ');
      typed = `CASE WHEN lower(${v}) IN (${list}) THEN lower(${v}) END`;
      checks.push([
        `${present} AND ${typedCol(field.name)} IS NULL`,
        'bad_value',
        msg(`unknown value (expected one of: ${values.join(', ')})`),
      ]);
      break;
    }
  }
  checks.unshift(
    [
      `coalesce(contains(${t}, ${NUL}), FALSE)`,
      'control_character',
      msg(
        'contains a NUL byte (binary data, not text): export the file again; if every row has them, the file may be UTF-16: save it as UTF-8 CSV',
      ),
    ],
    [
      `coalesce(contains(${t}, ${BOM}), FALSE)`,
      'byte_order_mark',
      msg(
        'contains an invisible byte-order mark (U+FEFF), usually left where two exports were joined: remove it and load the file again',
      ),
    ],
  );
  if (field.required)
    checks.unshift([`NOT (${present})`, 'missing_required', msg('required value is empty')]);
  // Typed is NULL exactly when the text is empty or does not parse; the detailed reason is worked
  // out later, for bad rows only (see validationSql).
  const isNull = `${typedCol(field.name)} IS NULL`;
  let bad = field.required ? isNull : field.type === 'text' ? 'FALSE' : `(${isNull} AND ${present})`;
  if (field.min) {
    bad = `${bad} OR coalesce(${typedCol(field.name)} ${field.min.exclusive ? '<=' : '<'} ${field.min.value}, FALSE)`;
  }
  if (field.type === 'date') bad = `${bad} OR coalesce(${implausible(typedCol(field.name), dates)}, FALSE)`;
  // In other types a NUL or a byte-order mark already fails the parse (typed is NULL); in text it would not.
  if (field.type === 'text')
    bad = `${bad} OR coalesce(contains(${t}, ${NUL}) OR contains(${t}, ${BOM}), FALSE)`;
  return { typed, bad, checks };
}

/** A DATE literal of our own (checked here; both statements must keep the same parameters). */
function dateLiteral(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`internal: not a YYYY-MM-DD date: ${date}`);
  return `DATE '${date}'`;
}

/** SQL condition: the typed date `col` lies outside the window (NULL when the date is NULL). */
function implausible(col: string, dates: DateWindow): string {
  return `${col} NOT BETWEEN ${dateLiteral(dates.from)} AND ${dateLiteral(dates.to)}`;
}

/**
 * The validation query for one mapping over one prepared source.
 * `source` is the relation from read.ts; references are checked against `raw.<entity>` tables, or,
 * in the quarantine detail, against `referenceSource(column)` when given (a PostgreSQL warehouse: the
 * keys of the column's values that PostgreSQL found, in a DuckDB temp table named after the column).
 * Dates outside `dates` are rejected as implausible.
 */
export function validationSql(
  spec: EntitySpec,
  mapping: Mapping,
  format: ResolvedFormat,
  header: Map<string, string>,
  source: { sql: string; params: readonly (string | number)[] },
  dates: DateWindow = PLAUSIBLE_DATES,
  exclusions: readonly (readonly Where[])[] = [],
  referenceSource?: (column: string) => string,
): ValidationSql {
  const p = new Params();
  for (const v of source.params) p.add(v);
  const fields = spec.fields.map((f) => ({ f, s: fieldSql(f, mapping.columns[f.name], format, dates, p) }));

  const typedCols = fields.map(({ f, s }) => `${s.typed} AS ${ident(f.name)}`).join(',\n      ');

  const errs: string[] = [];
  const bad: string[] = fields.map(({ s }) => s.bad).filter((b) => b !== 'FALSE');
  const references: ValidationSql['references'][number][] = [];
  const err = (cond: string, column: string, code: string, reason: string, value: string) =>
    `CASE WHEN ${cond} THEN {'column': ${sqlText(column)}, 'code': ${sqlText(code)}, 'reason': ${reason}, 'value': ${shownSql(value)}} END`;
  for (const { f, s } of fields) {
    for (const [cond, code, reason] of s.checks) errs.push(err(cond, f.name, code, reason, txtCol(f.name)));
  }
  const joins: string[] = [];
  for (const [i, f] of spec.fields.entries()) {
    if (!f.references) continue;
    const target = CONTRACT[f.references];
    const key = target.key[0] ?? '';
    const alias = `ref${i}`;
    joins.push(
      `LEFT JOIN (SELECT ${ident(key)} AS k FROM ${referenceSource ? referenceSource(f.name) : `raw.${ident(target.name)}`}) ${alias} ON ${alias}.k = ${typedCol(f.name)}`,
    );
    const noun = target.name.replace(/s$/, '').replaceAll('_', ' ');
    references.push({ column: f.name, table: `raw.${ident(target.name)}`, key });
    errs.push(
      err(
        `${typedCol(f.name)} IS NOT NULL AND ${alias}.k IS NULL`,
        f.name,
        'unknown_reference',
        sqlText(
          `unknown ${noun}: not in the loaded ${target.name.replaceAll('_', ' ')} (load them first or correct the id)`,
        ),
        txtCol(f.name),
      ),
    );
  }
  for (const rule of spec.rules) {
    const cond = rule.sql.replace(/\b([a-z_]+)\b/g, (w) =>
      spec.fields.some((f) => f.name === w) ? typedCol(w) : w,
    );
    bad.push(`NOT coalesce(${cond}, TRUE)`);
    errs.push(
      err(
        `NOT coalesce(${cond}, TRUE)`,
        rule.column,
        `rule:${rule.name}`,
        sqlText(rule.reason),
        txtCol(rule.column),
      ),
    );
  }
  // Both statements below use exactly the same parameters (messages are SQL literals of our own text).
  const txtCols = spec.fields
    .map((f) => {
      const expr = textExpr(f, mapping.columns[f.name], header, p);
      return `${expr} AS ${txtCol(f.name)}, nullif(trim(${expr}), '') AS ${valCol(f.name)}`;
    })
    .join(',\n      ');
  const ctes = `
WITH src AS (
  SELECT * FROM ${filledSourceSql(source.sql, format.fillDown, header)} s
  WHERE ${whereSql(mapping.where, header, p)} AND NOT (${excludedSql(exclusions, header, p)})
),
txt AS (
  SELECT _row AS src_row,
      ${txtCols}
  FROM src
),
typed AS (
  SELECT txt.*,
      ${typedCols}
  FROM txt
)`;
  const valuesJson = `to_json({${spec.fields.map((f) => `${ident(f.name)}: ${shownSql(txtCol(f.name))}`).join(', ')}})::VARCHAR`;
  // Every row: typed fields and one cheap flag. References and duplicate keys are checked afterwards
  // on the typed table (an anti-join there costs a tenth of a join while reading the file).
  const sql = `${ctes}
SELECT typed.src_row AS _row, ${spec.fields.map((f) => typedCol(f.name)).join(', ')},
  ${bad.length > 0 ? bad.map((b) => `(${b})`).join(' OR ') : 'FALSE'} AS _bad
FROM typed`;
  // Bad rows only: every problem with column, code, reason and value, and the row's text.
  const detail = `${ctes}
SELECT typed.src_row AS _row, ${valuesJson} AS _values,
  list_filter([
    ${errs.join(',\n    ')}
  ], e -> e IS NOT NULL) AS _errors
FROM typed
${joins.join('\n')}`;
  return { sql, detail, references, params: p.values as (string | number)[] };
}
