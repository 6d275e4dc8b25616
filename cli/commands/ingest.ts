/** `arlens ingest`: ERP exports into the warehouse's raw tables (docs/contract.md, docs/profiles.md). */
import { Option, type Command } from 'commander';
import { ENTITY_NAMES, type EntityName } from '../../ingest/contract.ts';
import { ingest, type IngestReport, type IngestSource } from '../../ingest/load.ts';
import type { FormatOptions } from '../../ingest/profile.ts';
import type { Config } from '../config.ts';
import { num, type Context } from '../context.ts';
import { ingestProgress } from '../progress.ts';

export function printIngestReport(report: IngestReport): void {
  for (const s of report.skipped) console.log(`  skipped  ${s.file} (${s.entity}): ${s.reason}`);
  if (!report.published) {
    console.log(
      'Nothing to load: every file was already loaded with the same content, profile and options. ' +
        'The warehouse is unchanged. To load a file again anyway, run arlens ingest with --force.',
    );
    return;
  }
  const rows = report.loads.map((l) => [
    l.file,
    l.entity,
    num.format(l.rowsRead),
    num.format(l.rowsLoaded),
    num.format(l.rowsQuarantined),
    `${num.format(l.inserted)} new, ${num.format(l.updated)} changed, ${num.format(l.unchanged)} same`,
  ]);
  const head = ['file', 'entity', 'read', 'loaded', 'quarantined', 'records'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const q = report.loads.reduce((a, l) => a + l.rowsQuarantined, 0);
  if (q > 0) {
    console.log(`\n${num.format(q)} row(s) were quarantined and not loaded. First ones:`);
    for (const s of report.quarantineSample) {
      const value = s.value === null ? 'empty' : JSON.stringify(s.value);
      const where = s.column === '' ? `row ${s.row}` : `row ${s.row}, column ${s.column}`;
      console.log(`  ${s.file} ${where} (${value}): ${s.reason}`);
    }
    console.log(
      'Fix them in the ERP or the export and load the corrected file again; see them all with: arlens status --quarantine',
    );
  }
  if (report.notes.length > 0) {
    console.log('\nLoaded with a fallback value (see meta.load_notes):');
    for (const n of report.notes) {
      console.log(`  ${n.file} ${n.entity}, ${num.format(n.rows)} row(s) from row ${n.firstRow}: ${n.note}`);
    }
  }
  console.log(`Published run ${report.runId}.`);
}

export async function runIngest(c: Config, sources: IngestSource[], force: boolean): Promise<IngestReport> {
  const progress = ingestProgress();
  try {
    const report = await ingest(sources, {
      warehouseDir: c.warehouse,
      ...(c.engine.kind === 'postgres' ? { pgUrl: c.engine.url } : {}),
      force,
      plausibleDates: c.plausible_dates,
      onEvent: progress.onEvent,
    });
    progress.stop();
    printIngestReport(report);
    return report;
  } catch (e) {
    progress.stop();
    throw e;
  }
}

interface IngestFlags {
  profile: string;
  entity?: EntityName;
  force: boolean;
  encoding?: 'utf-8' | 'shift_jis' | 'windows-1252';
  delimiter?: string;
  decimal?: '.' | ',';
  dateFormat?: string;
}

export function registerIngest(program: Command, ctx: Context): void {
  program
    .command('ingest')
    .description(
      'Load ERP export files (CSV, XLSX, JSON, Parquet) into the warehouse. Bad rows are quarantined with ' +
        'file, row, column and reason; a file already loaded with the same content, profile and options ' +
        '(encoding, delimiter, decimal, date format) is skipped unless --force is given.',
    )
    .argument('[paths...]', 'files or directories (default: the sources in the config file)')
    .option(
      '-p, --profile <name>',
      'column-mapping profile: a built-in name (arlens profiles) or a YAML file',
      'canonical',
    )
    .addOption(
      new Option('-e, --entity <entity>', 'load every file as this entity, whatever its name').choices([
        ...ENTITY_NAMES,
      ]),
    )
    .addOption(
      new Option('--encoding <name>', "override the profile's text encoding").choices([
        'utf-8',
        'shift_jis',
        'windows-1252',
      ]),
    )
    .option('--delimiter <char>', "override the profile's CSV delimiter (e.g. ';' or tab as $'\\t')")
    .addOption(new Option('--decimal <char>', "override the profile's decimal separator").choices(['.', ',']))
    .option('--date-format <fmt>', "override the profile's date format (strptime, e.g. %d.%m.%Y)")
    .option(
      '--force',
      'load again even when the same content was loaded before with the same profile and options',
      false,
    )
    .action(async (paths: string[], o: IngestFlags) => {
      const c = await ctx.config();
      const format: FormatOptions = {
        ...(o.encoding ? { encoding: o.encoding } : {}),
        ...(o.delimiter ? { delimiter: o.delimiter } : {}),
        ...(o.decimal ? { decimal_separator: o.decimal } : {}),
        ...(o.dateFormat ? { date_format: o.dateFormat } : {}),
      };
      const sources: IngestSource[] =
        paths.length > 0
          ? paths.map((path) => ({
              path,
              profile: o.profile,
              format,
              ...(o.entity ? { entity: o.entity } : {}),
            }))
          : c.sources.map((s) => ({ ...s, format: { ...s.format, ...format } }));
      if (sources.length === 0) {
        throw new Error('Nothing to load: name files or directories, or list sources in arlens.config.yaml.');
      }
      await runIngest(c, sources, o.force);
    });
}
