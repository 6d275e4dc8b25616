/**
 * `arlens profiles`: the built-in profiles (list), which fits a folder of exports and what a load
 * would do with its rows (check, nothing written), and a starter profile from a file's header (new).
 */
import { promises as fs } from 'node:fs';
import { Option, type Command } from 'commander';
import { checkExports, type CheckResult } from '../../ingest/check.ts';
import { ENTITY_NAMES, type EntityName } from '../../ingest/contract.ts';
import { listBuiltinProfiles, loadProfile } from '../../ingest/profile.ts';
import { starterProfile } from '../../ingest/starter.ts';

const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/** The check as a user reads it: the fit of each profile, then the chosen one file by file. */
export function formatCheck(path: string, r: CheckResult): string {
  const out: string[] = [`${path}: ${count(r.files.length, 'file')} (${r.files.join(', ')})`, ''];
  out.push('Which profile fits:');
  for (const f of r.fits) {
    const mark = f === r.chosen ? '  <- ' + (r.fits.length > 1 ? 'best fit' : 'checked') : '';
    out.push(
      f.filesTaken === 0
        ? `  ${f.profile.padEnd(12)} takes none of these files (by their names)${mark}`
        : `  ${f.profile.padEnd(12)} ${f.filesTaken} of ${r.files.length} files taken, ` +
            `${f.mappingsComplete} of ${f.mappingsTotal} mappings with every column${mark}`,
    );
  }
  if (!r.chosen) {
    out.push(
      '',
      'No built-in profile reads these files. Write one: arlens profiles new <file> (docs/profiles.md), ' +
        'then run arlens profiles check again with --profile <your file>.',
    );
    return out.join('\n');
  }
  out.push('', `Profile ${r.chosen.profile} (${r.chosen.title}):`);
  for (const file of r.chosen.files) {
    out.push('', `  ${file.file}`);
    if (file.problem) out.push(`    cannot be read with this profile: ${file.problem}`);
    if (file.mappings.length === 0 && !file.problem) {
      out.push('    no mapping of this profile takes the file by its name: it would not be loaded');
      continue;
    }
    for (const m of file.mappings) {
      const byField = new Map<string, string[]>();
      for (const x of m.fit.mapped) byField.set(x.field, [...(byField.get(x.field) ?? []), `"${x.column}"`]);
      const mapped = [...byField].map(([field, cols]) => `${field} <- ${cols.join(' + ')}`).join(', ');
      out.push(`    ${m.entity}: ${mapped || 'no column mapped'}`);
      for (const miss of m.fit.missing) {
        out.push(
          `      MISSING column "${miss.column}" (for ${miss.why}): add it to the export, or change the profile`,
        );
      }
    }
    const rows = r.rows.find((x) => x.file === file.file);
    if (!rows) continue;
    if (rows.skipped) {
      out.push(`    rows not checked: ${rows.skipped}`);
      continue;
    }
    out.push(
      `    ${count(rows.rows, 'row')}: ` +
        rows.taken.map((t) => `${t.entity} ${t.rows.toLocaleString('en-US')}`).join(', '),
    );
    if (rows.unreadable > 0)
      out.push(`    ${count(rows.unreadable, 'row')} cannot be read (quarantined on load)`);
    for (const x of rows.excluded) {
      out.push(
        `    excluded: ${count(x.rows, 'row')} (first row ${x.firstRow}, column ${x.column}): ${x.reason}`,
      );
    }
    if (rows.unmapped && rows.unmapped.rows > 0) {
      out.push(
        `    ${count(rows.unmapped.rows, 'row')} no mapping takes (first row ${rows.unmapped.firstRow}): ` +
          'quarantined as unmapped_row on load; add a mapping or an exclude rule for them',
      );
    }
    for (const f of rows.fallbacks) {
      out.push(
        `    "${f.value}" in ${f.column} is not in the profile's map: ${count(f.rows, 'row')} ` +
          `(first row ${f.firstRow}) would load ${f.entity} as "${f.to}"`,
      );
    }
  }
  out.push(
    '',
    'Nothing was written. Rows are checked further when loaded (types, dates, references, ledger rules): ' +
      `arlens ingest ${path} --profile ${r.chosen.profile}`,
  );
  return out.join('\n');
}

export function registerProfiles(program: Command): void {
  const profiles = program
    .command('profiles')
    .description(
      'The column-mapping profiles: list the built-in ones, check exports against them, start a new one.',
    );

  profiles
    .command('list', { isDefault: true })
    .description('List the built-in profiles (ERP layouts ARLens reads).')
    .action(async () => {
      for (const name of await listBuiltinProfiles()) {
        const p = await loadProfile(name);
        console.log(`${name.padEnd(14)} ${p.title}`);
      }
    });

  profiles
    .command('check')
    .description(
      'Before loading: which profile fits the exports, which columns map and which are missing, how many rows ' +
        'each mapping takes, which rows are excluded and why, which values load as a fallback. Writes nothing.',
    )
    .argument('<path>', 'an export file or a folder of them')
    .option(
      '-p, --profile <name>',
      'check this profile only (built-in name or YAML file); default: every built-in one',
    )
    .action(async (path: string, o: { profile?: string }) => {
      const result = await checkExports(path, o.profile ? { profile: o.profile } : {});
      console.log(formatCheck(path, result));
      if (!result.chosen || result.chosen.mappingsComplete < result.chosen.mappingsTotal)
        process.exitCode = 1;
    });

  profiles
    .command('new')
    .description(
      "Write a starter profile from an export file's header (columns, delimiter, date and number format).",
    )
    .argument('<file>', 'an export file (CSV, XLSX, JSON or Parquet)')
    .addOption(
      new Option('-e, --entity <entity>', 'what the file holds (default: guessed from its name)').choices([
        ...ENTITY_NAMES,
      ]),
    )
    .option('--name <name>', 'the profile name (lower-case, digits and dashes)')
    .option('-o, --out <file>', 'write the profile to this file instead of printing it')
    .action(async (file: string, o: { entity?: EntityName; name?: string; out?: string }) => {
      const starter = await starterProfile(file, {
        ...(o.entity ? { entity: o.entity } : {}),
        ...(o.name ? { name: o.name } : {}),
      });
      if (o.out) {
        await fs.writeFile(o.out, starter.yaml, { flag: 'wx' });
        console.log(
          `Wrote ${o.out} (${starter.entity}). Edit it, then: arlens profiles check <folder> --profile ${o.out}`,
        );
      } else process.stdout.write(starter.yaml);
    });
}
