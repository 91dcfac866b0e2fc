import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/usage.js';

describe('parseCommandLine', () => {
  it.each([
    [['spec'], { command: 'spec' }],
    [['check', '--config', 'c.json'], { command: 'check', configPath: 'c.json' }],
    [['discover', '--config=c.json'], { command: 'discover', configPath: 'c.json' }],
    [
      ['write', '--catalog', 'k.json', '--config', 'c.json'],
      { command: 'write', configPath: 'c.json', catalogPath: 'k.json' },
    ],
    [['--help'], { command: 'help' }],
    [['help'], { command: 'help' }],
  ])('understands %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it.each([
    [[]],
    [['nope']],
    [['check']],
    [['check', '--config', '']],
    [['write', '--config', 'c']],
    [['spec', 'x']],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
  });
});
