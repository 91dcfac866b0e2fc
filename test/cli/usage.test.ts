import { describe, expect, it } from 'vitest';
import { ofType, runChecked, traceError } from '../contract/cli-env.js';

describe('usage errors', () => {
  it.each([
    [[], 'No command was given'],
    [['sync'], '"sync" is not a command'],
    [['check'], 'check needs --config'],
    [['discover', '--config'], 'The command line is not valid'],
    [['write', '--config', 'c.json'], 'write needs --catalog'],
    [['spec', '--config', 'c.json'], 'spec does not take --config'],
    [['check', '--config', 'c.json', '--catalog', 'k.json'], 'check does not take --catalog'],
    [['check', '--config', 'c.json', 'extra'], 'check takes no argument "extra"'],
    [['check', '--confg', 'c.json'], 'The command line is not valid'],
  ])('%j prints the usage as a LOG, one config_error TRACE, and exits 2', async (args, problem) => {
    const result = await runChecked(args, []);
    expect(result.code).toBe(2);
    const logs = ofType(result, 'LOG') as { log: { message: string } }[];
    expect(logs.some((m) => m.log.message.startsWith('Usage: destination-dotdigital-programs'))).toBe(true);
    const error = traceError(result);
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toContain(problem);
    expect(error.message).toContain('write --config CONFIG --catalog CATALOG');
    expect(result.messages.map((m) => m.type)).toEqual(['LOG', 'TRACE']);
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await runChecked(['--help'], []);
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['LOG']);
  });
});
