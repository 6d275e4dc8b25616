/** Console progress for long loads: a bar on a terminal, one line per step otherwise (CI, logs). */
import cliProgress from 'cli-progress';
import type { IngestEvent } from '../ingest/load.ts';

export interface Progress {
  onEvent(event: IngestEvent): void;
  stop(): void;
}

export function ingestProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let total = 0;
  let label = '';
  if (!stream.isTTY) {
    return {
      onEvent(e) {
        if (e.kind === 'plan')
          stream.write(`Loading ${e.units} file/entity pair(s), ${e.skipped} unchanged skipped\n`);
        if (e.kind === 'unit-start') stream.write(`  ${e.file} -> ${e.entity} ...\n`);
        if (e.kind === 'publishing') stream.write('  publishing the new warehouse generation\n');
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {label}', hideCursor: true, clearOnComplete: true, stream },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onEvent(e) {
      switch (e.kind) {
        case 'plan':
          total = e.units;
          if (total > 0) {
            bar.start(total * 100, 0, { label: 'reading' });
            started = true;
          }
          break;
        case 'unit-start':
          label = `${e.file} -> ${e.entity}`;
          bar.update(e.index * 100, { label });
          break;
        case 'unit-progress':
          bar.update(e.index * 100 + Math.round(e.fraction * 90), { label: `${label} (validating)` });
          break;
        case 'unit-done':
          bar.update((e.index + 1) * 100, { label });
          break;
        case 'publishing':
          bar.update(total * 100, { label: 'publishing' });
          break;
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
