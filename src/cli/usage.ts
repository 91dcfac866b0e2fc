import { parseArgs } from 'node:util';
import { ConfigError } from '../protocol/errors.js';

export type Invocation =
  | { command: 'help' }
  | { command: 'spec' }
  | { command: 'check' | 'discover'; configPath: string }
  | { command: 'write'; configPath: string; catalogPath: string };

/** A command line the connector cannot run; the runner prints the usage with it and exits 2. */
export class UsageError extends ConfigError {}

export const USAGE = [
  'Usage: destination-dotdigital-programs <command> [options]',
  '  spec                                     print the connector specification',
  '  check --config CONFIG                    test the configuration and the connection to Dotdigital',
  '  discover --config CONFIG                 list the programs that records can be enrolled into',
  '  write --config CONFIG --catalog CATALOG  enrol the contacts of the records read from stdin',
  'CONFIG and CATALOG are paths of JSON files; only write reads stdin.',
].join('\n');

const NEEDS: Record<string, readonly ('config' | 'catalog')[]> = {
  spec: [],
  check: ['config'],
  discover: ['config'],
  write: ['config', 'catalog'],
};

export function parseCommandLine(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        catalog: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw usageError(`The command line is not valid: ${(error as Error).message}`);
  }
  const { positionals, values } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help' };
  const command = positionals[0];
  if (command === undefined) throw usageError('No command was given.');
  const needs = NEEDS[command];
  if (!needs) throw usageError(`"${command.slice(0, 40)}" is not a command.`);
  if (positionals.length > 1)
    throw usageError(`${command} takes no argument "${positionals[1]!.slice(0, 40)}".`);
  for (const option of ['config', 'catalog'] as const) {
    const given = values[option] !== undefined;
    if (needs.includes(option) && (!given || values[option] === '')) {
      throw usageError(`${command} needs --${option} with the path of the ${option} JSON file.`);
    }
    if (!needs.includes(option) && given) throw usageError(`${command} does not take --${option}.`);
  }
  if (command === 'spec') return { command };
  if (command === 'write') return { command, configPath: values.config!, catalogPath: values.catalog! };
  return { command: command as 'check' | 'discover', configPath: values.config! };
}

function usageError(problem: string): UsageError {
  return new UsageError(
    `${problem} Run the connector as one of: spec, check --config CONFIG, discover --config CONFIG, write --config CONFIG --catalog CATALOG.`,
    problem,
  );
}
