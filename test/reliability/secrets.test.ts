/**
 * The password never appears in stdout or stderr, also on the paths where it is most likely to slip out:
 * rejected credentials and credentials written into base_url. (Every other reliability test checks its own attempts' output the same way.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/src/index.js';
import { runCli } from '../support/cli.js';
import { mixedAudience } from './support/audience.js';
import { PASSWORD, reliabilityEmulator } from './support/emulator.js';
import { startSync, syncConfig } from './support/sync-process.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const WRONG_PASSWORD = 'Wr0ng!-Zq7x-pässwörd-11aa';

function leaks(output: string, apiUser: string, passwords: string[]): string[] {
  const candidates = passwords.flatMap((p) => [
    p,
    encodeURIComponent(p),
    Buffer.from(`${apiUser}:${p}`).toString('base64'),
  ]);
  return candidates.filter((c) => output.includes(c));
}

describe('the password never appears in any output', () => {
  it('check and write with a wrong password', async () => {
    emu = await reliabilityEmulator();
    const config = syncConfig(emu, { api_password: WRONG_PASSWORD });
    const dir = mkdtempSync(path.join(tmpdir(), 'reliability-secrets-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const check = await runCli(['check', '--config', path.join(dir, 'config.json')]);
    expect(check.stdout).toContain('FAILED');
    expect(leaks(check.stdout + check.stderr, emu.sample.apiUser, [WRONG_PASSWORD, PASSWORD])).toEqual([]);

    const sync = startSync(emu, { api_password: WRONG_PASSWORD });
    await sync.send(mixedAudience({ valid: 5, invalid: 2, stateEvery: 3, seed: 1 }).input);
    sync.end();
    const ended = await sync.ended;
    expect(ended.code).not.toBe(0);
    expect(sync.errors()).toMatchObject([{ failure_type: 'config_error' }]);
    expect(leaks(sync.stdout + sync.stderr, emu.sample.apiUser, [WRONG_PASSWORD, PASSWORD])).toEqual([]);
  }, 60_000);

  it('check with a one-letter password: the refusal reads as for any wrong password, letters intact', async () => {
    emu = await reliabilityEmulator();
    const dir = mkdtempSync(path.join(tmpdir(), 'reliability-secrets-'));
    const statusWith = async (password: string): Promise<string> => {
      const file = path.join(dir, `config-${password.length}.json`);
      writeFileSync(file, JSON.stringify(syncConfig(emu!, { api_password: password })));
      const check = await runCli(['check', '--config', file]);
      expect(check.stderr).toBe('');
      const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS') as
        { connectionStatus: { status: string; message: string } } | undefined;
      expect(status?.connectionStatus.status).toBe('FAILED');
      return status!.connectionStatus.message;
    };
    const refusal = await statusWith(WRONG_PASSWORD);
    expect(await statusWith('a')).toBe(refusal);
    expect(refusal).not.toContain('***');
  }, 60_000);

  it('write with the credentials written into base_url as well', async () => {
    emu = await reliabilityEmulator();
    const withUserInfo = emu.url.replace(
      'http://',
      `http://${encodeURIComponent(emu.sample.apiUser)}:${encodeURIComponent(PASSWORD)}@`,
    );
    const sync = startSync(emu, { base_url: withUserInfo });
    await sync.send(mixedAudience({ valid: 5, invalid: 2, stateEvery: 3, seed: 2 }).input);
    sync.end();
    await sync.ended;
    expect(sync.leakedSecrets()).toEqual([]);
    expect(leaks(sync.stdout + sync.stderr, emu.sample.apiUser, [PASSWORD])).toEqual([]);
  }, 60_000);
});
