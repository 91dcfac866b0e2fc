/**
 * The README's first command: builds nothing itself (npm run demo builds first), starts the bundled
 * Dotdigital emulator with its sample account, then runs the connector exactly as an orchestrator would
 * (spec, check, discover, write with the sample audience on stdin) and prints a short report.
 *
 *   npm run demo                 # the connector as a Node process
 *   npm run demo -- --docker     # the connector as the Docker image (needs a running Docker engine)
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/src/index.js';
import { parseStagingListName } from '../src/enrolment/enrol/staging-list-name.js';

/** The repository root: the nearest folder above this file that holds spec.json (dist/ or .tmp/ builds alike). */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'spec.json')) || !existsSync(path.join(dir, 'demo', 'sample'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (spec.json)');
    dir = parent;
  }
  return dir;
}
const root = findRoot();
const sampleDir = path.join(root, 'demo', 'sample');
const useDocker = process.argv.includes('--docker');
const IMAGE = process.env.DEMO_IMAGE ?? 'dotdigitalprograms/destination-dotdigital-programs:dev';

interface Run {
  code: number | null;
  messages: Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  stderr: string;
}

/** Runs one connector command; files are passed as a directory mounted (Docker) or read in place. */
function connector(args: string[], workDir: string, stdinFile?: string): Promise<Run> {
  const [command, exe, prefix] = useDocker
    ? ['docker', ['run', '--rm', '-i', '--network', 'host', '-v', `${workDir}:/work`, IMAGE], '/work']
    : [process.execPath, [path.join(root, process.env.CONNECTOR_DIST ?? 'dist', 'src', 'main.js')], workDir];
  const mapped = args.map((a) => (a.startsWith('@') ? path.posix.join(prefix, a.slice(1)) : a));
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...(exe as string[]), ...mapped], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stderr: err,
        messages: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
    if (stdinFile) createReadStream(stdinFile).pipe(child.stdin);
    else child.stdin.end();
  });
}

function ensureImage(): void {
  const info = spawnSync('docker', ['info'], { stdio: 'ignore' });
  if (info.status !== 0) {
    console.error(
      'No Docker engine is running. Start one (scripts/ensure-docker.sh does it on Debian) and retry.',
    );
    process.exit(1);
  }
  const build = spawnSync('bash', [path.join(root, 'scripts', 'build-image.sh'), IMAGE], {
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

function line(label: string, value: string | number): void {
  console.log(`  ${label.padEnd(34)} ${value}`);
}

const DEMO_TIME_SCALE = 60;

async function main(): Promise<void> {
  if (useDocker) ensureImage();
  // Dotdigital takes minutes to process an enrolment or an import (the emulator's default); the demo's
  // emulated clock runs 60× fast so those minutes pass in seconds.
  const emulator = await startEmulator({ port: 0, timeScale: DEMO_TIME_SCALE });
  const workDir = mkdtempSync(path.join(tmpdir(), 'dotdigital-demo-'));
  // The image runs as an unprivileged user (uid 1000): in the Docker form it must read the mounted config
  // and write the rejected-records file there. The folder is the demo's own and removed at the end.
  if (useDocker) chmodSync(workDir, 0o777);
  try {
    const config = JSON.parse(readFileSync(path.join(sampleDir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    config.base_url = emulator.url;
    config.rejected_records = {
      destination: 'local_file',
      path: useDocker ? '/work/rejected.jsonl' : path.join(workDir, 'rejected.jsonl'),
    };
    writeFileSync(path.join(workDir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o644 });
    writeFileSync(path.join(workDir, 'catalog.json'), readFileSync(path.join(sampleDir, 'catalog.json')), {
      mode: 0o644,
    });
    const audience = path.join(sampleDir, 'audience.jsonl');

    console.log(
      `Dotdigital emulator: ${emulator.url} (sample account, region ${emulator.sample.region}, ` +
        `time ${DEMO_TIME_SCALE}× fast)`,
    );
    console.log(`Connector: ${useDocker ? `Docker image ${IMAGE}` : 'node dist/src/main.js'}\n`);

    const spec = await connector(['spec'], workDir);
    const specMsg = spec.messages.find((m) => m.type === 'SPEC');
    console.log(
      `spec      ${specMsg ? 'ok' : 'FAILED'}: ${Object.keys(specMsg?.spec?.connectionSpecification?.properties ?? {}).length} settings`,
    );

    const check = await connector(['check', '--config', '@config.json'], workDir);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    console.log(`check     ${status?.status}: ${status?.message ?? ''}`);

    const discover = await connector(['discover', '--config', '@config.json'], workDir);
    const ops =
      discover.messages.find((m) => m.type === 'DESTINATION_CATALOG')?.destination_catalog?.operations ?? [];
    console.log(
      `discover  ${ops.length} Active program(s): ${ops.map((o: { object_name: string }) => o.object_name).join(', ')}`,
    );

    const started = Date.now();
    const write = await connector(
      ['write', '--config', '@config.json', '--catalog', '@catalog.json'],
      workDir,
      audience,
    );
    const seconds = (Date.now() - started) / 1000;
    const states = write.messages.filter((m) => m.type === 'STATE');
    const trace = write.messages.find((m) => m.type === 'TRACE' && m.trace?.type === 'ERROR');
    const records = readFileSync(audience, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"RECORD"')).length;
    const rejected = states.reduce((n, s) => n + (s.state.destinationStats?.rejectedRecordCount ?? 0), 0);
    // recordCount excludes the rejected records: the two together are the records the states cover.
    const accounted = states.reduce((n, s) => n + (s.state.destinationStats?.recordCount ?? 0), 0) + rejected;
    console.log(
      `write     ${trace ? `FAILED (${trace.trace.error.failure_type}): ${trace.trace.error.message}` : 'ok'} in ${seconds.toFixed(1)} s\n`,
    );

    const enrolled = emulator.control.enrolmentState(1001).contacts;
    const calls = emulator.control.enrolmentCalls();
    const counters = emulator.control.counters();
    console.log('Report');
    line('records read', records);
    line('states echoed', `${states.length} (covering ${accounted} records)`);
    line('enrolled (by Dotdigital)', enrolled.length);
    line('contacts enrolled more than once', enrolled.filter((c) => c.count > 1).length);
    line('rejected', rejected);
    const rejectedFile = path.join(workDir, 'rejected.jsonl');
    if (existsSync(rejectedFile)) {
      const byReason = new Map<string, number>();
      for (const l of readFileSync(rejectedFile, 'utf8').split('\n').filter(Boolean)) {
        const reason = (JSON.parse(l) as { reason: string }).reason;
        byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
      for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) line(`  ${reason}`, n);
    }
    line(
      'enrolment allowance spent',
      `${calls.length} of 20 an hour (${calls.map((c) => (c.addressBooks?.length ? 'list' : 'contacts')).join(', ')})`,
    );
    line('API calls', counters.total);
    for (const [endpoint, byStatus] of Object.entries(counters.byEndpoint).sort()) {
      if (endpoint.startsWith('/_emulator')) continue;
      line(
        `  ${endpoint}`,
        Object.entries(byStatus)
          .map(([s, n]) => `${n}×${s}`)
          .join(' '),
      );
    }
    // An enrolled staging list is kept for the look-back on purpose (a re-run reads who it enrolled).
    const phases = emulator.control.addressBooks().map((book) => parseStagingListName(book.name)?.phase);
    line('staging lists kept for the look-back', phases.filter((phase) => phase === 'enrolled').length);
    line('staging lists left behind', phases.filter((phase) => phase !== 'enrolled').length);
    const summary = write.messages.find(
      (m) => m.type === 'LOG' && /Sync finished/.test(m.log?.message ?? ''),
    );
    if (summary)
      console.log(`\nConnector's own summary (a LOG message):\n  ${summary.log.message.slice(0, 600)}`);
    if (trace || write.code !== 0) process.exitCode = 1;
  } finally {
    await emulator.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
