/**
 * Emulator benchmark (not a test): start-up time and memory with a generated account, and contact look-ups
 * per second on one core.
 *
 *   node <dist>/bench/emulator.js [--contacts 1000000] [--seed 7] [--duration 10] [--concurrency 256]
 *                                 [--json results.json]
 *
 * The emulator runs in a child process pinned to one CPU (taskset, when available) so the load generator in
 * this process never competes with it for that core; memory is measured inside the child, after seeding and a
 * full GC. Rate limiting is switched off in the child: the point is the server's own ceiling, not the
 * emulated account's tier.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

interface ServeReport {
  kind: 'ready';
  url: string;
  region: string;
  apiUser: string;
  password: string;
  firstContactId: number;
  startupMs: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  arrayBuffersMb: number;
}

interface CpuReport {
  kind: 'cpu';
  userMs: number;
  systemMs: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Child side: start the emulator, report start-up and memory, answer CPU-usage requests, stop on demand. */
async function serve(contacts: number, seed: number): Promise<void> {
  const { startEmulator } = await import('../emulator/src/index.js');
  const started = performance.now();
  const emulator = await startEmulator({ port: 0, contacts, seed, settings: { rateLimitMode: 'off' } });
  const startupMs = Math.round(performance.now() - started);
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const first = await fetch(`${emulator.regionUrl(emulator.sample.region)}/contacts/v3?limit=1`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${emulator.sample.apiUser}:${emulator.sample.password}`).toString('base64')}`,
    },
  });
  const firstContactId = ((await first.json()) as { _items: { contactId: number }[] })._items[0]!.contactId;
  const report: ServeReport = {
    kind: 'ready',
    url: emulator.regionUrl(emulator.sample.region),
    region: emulator.sample.region,
    apiUser: emulator.sample.apiUser,
    password: emulator.sample.password,
    firstContactId,
    startupMs,
    rssMb: mb(memory.rss),
    heapUsedMb: mb(memory.heapUsed),
    heapTotalMb: mb(memory.heapTotal),
    arrayBuffersMb: mb(memory.arrayBuffers),
  };
  process.send!(report);
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'cpu') {
      const used = process.cpuUsage();
      const cpu: CpuReport = { kind: 'cpu', userMs: used.user / 1000, systemMs: used.system / 1000 };
      process.send!(cpu);
    }
    if (message.kind === 'stop') void emulator.stop().then(() => process.exit(0));
  });
}

function startChild(contacts: number, seed: number): { child: ChildProcess; pinned: boolean } {
  const script = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', script, '--serve', '--contacts', String(contacts), '--seed', String(seed)];
  const pinned = existsSync('/usr/bin/taskset') && os.availableParallelism() > 1;
  const [command, commandArgs] = pinned
    ? ['/usr/bin/taskset', ['-c', '0', process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { child, pinned };
}

function nextMessage<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { kind?: string }) => {
      if (message.kind === kind) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`emulator child exited (${code}) before "${kind}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

interface LoadResult {
  requests: number;
  ok: number;
  notOk: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Contact look-ups spread over contactId, email and mobile number, as the connector's resolver makes them. */
function lookupPath(firstContactId: number, contacts: number, i: number): string {
  // A multiplicative hash spreads successive requests over the whole id range.
  const n = (Math.imul(i + 1, 2654435761) >>> 0) % contacts;
  const id = firstContactId + n;
  switch (i % 3) {
    case 0:
      return `/contacts/v3/contactId/${id}`;
    case 1:
      // Generated contacts: ordinal n+1 has user{n+1}@example.com unless it is one of the mobile-only ones.
      return `/contacts/v3/email/user${n + 1}%40example.com`;
    default:
      return `/contacts/v3/mobileNumber/44795${String(n + 1).padStart(7, '0')}`;
  }
}

async function load(
  ready: ServeReport,
  contacts: number,
  durationS: number,
  concurrency: number,
): Promise<LoadResult> {
  const url = new URL(ready.url);
  const prefix = url.pathname.replace(/\/$/, '');
  const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const authorization = `Basic ${Buffer.from(`${ready.apiUser}:${ready.password}`).toString('base64')}`;
  const latencies: number[] = [];
  let counter = 0;
  let ok = 0;
  let notOk = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = counter++;
      const sent = performance.now();
      try {
        const response = await pool.request({
          method: 'GET',
          path: prefix + lookupPath(ready.firstContactId, contacts, i),
          headers: { authorization, accept: 'application/json' },
        });
        await response.body.text();
        // 404s are legitimate answers (the email/mobile of a contact that lacks one); anything else is not.
        if (response.statusCode === 200 || response.statusCode === 404) ok += 1;
        else notOk += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 100) / 100;
  const requests = ok + notOk + errors;
  return {
    requests,
    ok,
    notOk,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(requests / seconds),
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1]!.trim() : (os.cpus()[0]?.model ?? 'unknown');
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean' },
      contacts: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '7' },
      duration: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '256' },
      json: { type: 'string' },
    },
  });
  const contacts = Number(values.contacts);
  const seed = Number(values.seed);
  if (values.serve) return serve(contacts, seed);

  const spawnedAt = performance.now();
  const { child, pinned } = startChild(contacts, seed);
  const ready = await nextMessage<ServeReport>(child, 'ready');
  const readyAfterMs = Math.round(performance.now() - spawnedAt);

  // Warm-up lets V8 optimise the hot path before measuring.
  await load(ready, contacts, 1, Number(values.concurrency));
  child.send({ kind: 'cpu' });
  const cpuBefore = await nextMessage<CpuReport>(child, 'cpu');
  const result = await load(ready, contacts, Number(values.duration), Number(values.concurrency));
  child.send({ kind: 'cpu' });
  const cpuAfter = await nextMessage<CpuReport>(child, 'cpu');
  const cpuMs = cpuAfter.userMs + cpuAfter.systemMs - cpuBefore.userMs - cpuBefore.systemMs;
  child.send({ kind: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    nproc: os.availableParallelism(),
    cpuModel: cpuModel(),
    emulatorPinnedToOneCore: pinned,
    contacts,
    seed,
    startupMs: ready.startupMs,
    processReadyMs: readyAfterMs,
    rssMb: ready.rssMb,
    heapUsedMb: ready.heapUsedMb,
    heapTotalMb: ready.heapTotalMb,
    arrayBuffersMb: ready.arrayBuffersMb,
    concurrency: Number(values.concurrency),
    durationS: result.seconds,
    lookups: result.requests,
    lookupsPerSecond: result.perSecond,
    unexpectedStatuses: result.notOk,
    transportErrors: result.errors,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    emulatorCpuShare: Math.round((cpuMs / 1000 / result.seconds) * 100) / 100,
    // Requests per CPU-second the emulator actually got: what one whole core sustains, even when other
    // processes on a shared machine keep the emulator from getting all of its core.
    lookupsPerEmulatorCpuSecond: Math.round(result.requests / (cpuMs / 1000)),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
  const rows: [string, string][] = [
    ['node / nproc / CPU', `${report.node} / ${report.nproc} / ${report.cpuModel}`],
    ['emulator pinned to one core', String(report.emulatorPinnedToOneCore)],
    ['generated contacts', report.contacts.toLocaleString('en-GB')],
    ['start-up (startEmulator)', `${report.startupMs} ms`],
    ['process ready (spawn → listening)', `${report.processReadyMs} ms`],
    ['RSS after seeding (after GC)', `${report.rssMb} MB`],
    ['heap used / total', `${report.heapUsedMb} / ${report.heapTotalMb} MB`],
    ['array buffers', `${report.arrayBuffersMb} MB`],
    ['concurrent requests (keep-alive)', String(report.concurrency)],
    ['contact look-ups', `${report.lookups} in ${report.durationS} s`],
    ['look-ups per second', String(report.lookupsPerSecond)],
    ['latency p50 / p99', `${report.p50Ms} / ${report.p99Ms} ms`],
    ['emulator CPU (cores busy)', String(report.emulatorCpuShare)],
    ['look-ups per emulator CPU-second', String(report.lookupsPerEmulatorCpuSecond)],
    ['machine load average (1 min)', String(report.loadAverage1m)],
    ['unexpected statuses / transport errors', `${report.unexpectedStatuses} / ${report.transportErrors}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  if (report.unexpectedStatuses > 0 || report.transportErrors > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
