/** `arlens profiles` and `arlens contract`: what ARLens reads, for someone preparing exports. */
import type { Command } from 'commander';
import { contractMarkdown, ENTITY_NAMES } from '../../ingest/contract.ts';
import { registerProfiles } from './profiles.ts';

export function registerReference(program: Command): void {
  registerProfiles(program);

  program
    .command('contract')
    .description('Print the ERP export contract (the fields ARLens expects for each entity).')
    .option('--markdown', 'print as Markdown (docs/contract.md is this output)', false)
    .action((o: { markdown: boolean }) => {
      if (o.markdown) process.stdout.write(contractMarkdown());
      else for (const e of ENTITY_NAMES) console.log(e);
    });
}
