import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliEnv } from '../main.js';
import { clientFor, connection, type RemoteOptions } from '../remote.js';

/** The server re-hashes the whole history for the report: as long as `audit verify` takes. */
const REPORT_TIMEOUT_MS = 10 * 60_000;

export function registerEvidenceCommand(program: Command, cli: CliEnv): void {
  connection(program.command('evidence'))
    .description(
      'the evidence report for an auditor: one self-contained, printable HTML page with the change, its decisions, the policy in force, the timeline and the proof its events are intact (talks to a running server)',
    )
    .argument('<id>', 'change id, e.g. CHG-42')
    .option('-o, --output <file>', 'write the HTML to a file instead of standard output')
    .action(async (id: string, options: RemoteOptions & { output?: string }) => {
      const client = clientFor(cli, options, REPORT_TIMEOUT_MS);
      const report = await client.getText(
        `/changes/${encodeURIComponent(id)}/evidence`,
        'text/html',
      );
      if (!options.output) return cli.output.out(report.trimEnd());
      await writeFile(options.output, report);
      cli.output.err(
        `wrote the evidence report for ${id} to ${options.output}: open it in a browser, and print it to keep it as PDF`,
      );
    });
}
