/**
 * scripts/ensure-docker.sh on its process handling, with stand-ins for `docker`, `dockerd`, `ps` and
 * `debootstrap` first on PATH, so it can be exercised while a real engine runs (or is absent).
 * The container tests wait for the script the way Node does (until its stdout and stderr close); a
 * script that left anything holding them hung CI for ten minutes once. Never touches the real engine.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProcess } from '../../integration_tests/support/process.js';
import { repoRoot } from '../../integration_tests/support/docker.js';

const script = path.join(repoRoot, 'scripts', 'ensure-docker.sh');
// The script runs apt-get and dockerd as root, or through `sudo -n`, which resets PATH and would not
// find the stand-ins. CI runs as root.
const isRoot = process.getuid?.() === 0;

let dir: string;
let bin: string;
let state: string;
let runDir: string;

function stub(name: string, body: string): void {
  writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ensure-docker-'));
  bin = path.join(dir, 'bin');
  state = path.join(dir, 'state');
  runDir = path.join(dir, 'run');
  for (const folder of [bin, state, runDir]) mkdirSync(folder, { recursive: true });
  // The engine answers once the stand-in dockerd has started (it leaves a marker and its pid).
  stub('docker', `case "$1" in info) [ -f "${state}/up" ];; version) echo stand-in;; esac`);
  // Like the real engine, it runs until stopped, holding whatever it inherited as stdout and stderr.
  stub('dockerd', `echo $$ >"${state}/dockerd.pid"; : >"${state}/up"; exec sleep 120`);
  // No engine process on this machine as far as the script can see, whatever really runs here.
  stub('ps', 'exit 1');
  stub('debootstrap', 'exit 0');
});

afterEach(() => {
  const pidFile = path.join(state, 'dockerd.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function runScript(startTimeoutSeconds = 20) {
  return runProcess('bash', [script], {
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      DOCKERD_LOG: path.join(dir, 'dockerd.log'),
      DOCKER_RUN_DIR: runDir,
      DOCKERD_START_TIMEOUT: String(startTimeoutSeconds),
    },
    // A hang is the failure under test: end it well inside the test's own time-out.
    timeoutMs: 30_000,
  });
}

describe.skipIf(!isRoot)('scripts/ensure-docker.sh (needs root: it runs dockerd directly)', () => {
  it('starts the engine and ends, leaving nothing attached to its output', async () => {
    const result = await runScript();
    expect(result.stderr).toContain('starting dockerd');
    expect(result.stderr).toContain('engine ready');
    expect(result.code).toBe(0);
    // The engine outlives the script.
    const pid = Number(readFileSync(path.join(state, 'dockerd.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();
  });

  it('does nothing when the engine already answers', async () => {
    writeFileSync(path.join(state, 'up'), '');
    const result = await runScript();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('engine already running');
    expect(existsSync(path.join(state, 'dockerd.pid'))).toBe(false);
  });

  it('removes the pid file of an engine that is gone before starting a new one', async () => {
    const stale = path.join(runDir, 'docker.pid');
    // A pid that no process has: the highest possible one.
    writeFileSync(stale, '4194304');
    const result = await runScript();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`removing stale ${stale}`);
    expect(existsSync(stale)).toBe(false);
  });

  it('gives up after DOCKERD_START_TIMEOUT with the end of the engine log when it never answers', async () => {
    stub(
      'dockerd',
      `echo $$ >"${state}/dockerd.pid"; echo "engine failed to start: stand-in"; exec sleep 120`,
    );
    const result = await runScript(2);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not answer within 2s');
    expect(result.stderr).toContain('engine failed to start: stand-in');
  });
});
