/**
 * Standalone emulator: `npm run emulator -- --port 8080 [--host H] [--fixture f.json]
 * [--contacts N --seed S] [--time-scale N] [--public-origin URL]`. Prints the base URL and the sample
 * account's API user and password, then serves until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmulator, type EmulatorOptions } from './index.js';

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      fixture: { type: 'string' },
      contacts: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      'public-origin': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: emulator [--host 127.0.0.1] [--port 8080] [--fixture f.json] [--contacts N] [--seed S] [--time-scale N] [--public-origin URL]',
    );
    return;
  }
  const options: EmulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: numberOption('port', values.port) ?? 8080,
    fixture: values.fixture,
    contacts: numberOption('contacts', values.contacts),
    seed: numberOption('seed', values.seed),
    timeScale: numberOption('time-scale', values['time-scale']),
    publicOrigin: values['public-origin'],
  };
  const started = Date.now();
  const emulator = await startEmulator(options);
  const memory = Math.round(process.memoryUsage().rss / 1024 / 1024);
  console.log(
    `Dotdigital emulator listening on ${emulator.url} (started in ${Date.now() - started} ms, rss ${memory} MB)`,
  );
  console.log(
    `  regions:  ${emulator.regionUrl('r1')}  ${emulator.regionUrl('r2')}  ${emulator.regionUrl('r3')}`,
  );
  console.log(`  api user: ${emulator.sample.apiUser}`);
  console.log(`  password: ${emulator.sample.password}`);
  console.log(`  region:   ${emulator.sample.region}`);
  console.log(`  control:  ${emulator.url}/_emulator/`);
  const stop = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`emulator failed to start: ${(err as Error).message}`);
  process.exit(1);
});
