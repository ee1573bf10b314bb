// extgate's command line: parses flags and hands off to the part that does the work.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerUpCommand } from './up.js';
import { registerServeCommand } from './serve.js';
import { registerWasmCommands } from './wasm.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('extgate')
    .description(
      'GKE Service Extensions, self-hosted: embedded Kubernetes API, Gateway controller and gateway',
    )
    .version(packageVersion(), '--version', 'print the version');

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`extgate ${packageVersion()}\n`);
    });

  registerUpCommand(program);
  registerServeCommand(program);
  registerWasmCommands(program);

  await program.parseAsync(argv, { from: 'user' });
}
