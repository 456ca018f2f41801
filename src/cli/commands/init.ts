import type { Command } from 'commander';
import { copyFile, access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliEnv } from '../main.js';
import { ExitStatus } from '../exit-status.js';

const STARTER = fileURLToPath(new URL('../../../examples/starter.yaml', import.meta.url));

export function registerInitCommand(program: Command, cli: CliEnv): void {
  program
    .command('init')
    .description('write a starter changeboard.yaml and print the next steps')
    .argument('[file]', 'where to write it', 'changeboard.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, options: { force?: boolean }) => {
      const target = resolve(file);
      const exists = await access(target).then(
        () => true,
        () => false,
      );
      if (exists && !options.force) {
        cli.output.err(`${file} already exists; use --force to overwrite it`);
        throw new ExitStatus(1);
      }
      await copyFile(STARTER, target);
      cli.output.out(`Wrote ${file}. Next:`);
      cli.output.out(
        '  1. Edit it: your people, their groups, your services and who approves them.',
      );
      cli.output.out(`  2. Check it:            npx changeboard policy check ${file}`);
      cli.output.out('  3. Start Changeboard:   npm start   (it reads ./changeboard.yaml)');
      cli.output.out('  4. Give people tokens:  npx changeboard token create <person-id>');
    });
}
