import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSampleAudience, toMessages } from '../../demo/make-sample-audience.js';
import { cliPath } from '../support/cli.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const distRoot = path.resolve(path.dirname(cliPath()), '..');

function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(distRoot, 'demo', 'run-demo.js')], {
      env: { ...process.env, CONNECTOR_DIST: path.relative(root, distRoot) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function figure(out: string, label: string): number {
  const match = new RegExp(`^\\s+${label}\\s+(\\d+)`, 'm').exec(out);
  if (!match) throw new Error(`the demo report has no "${label}" line:\n${out}`);
  return Number(match[1]);
}

describe('the demo (npm run demo)', () => {
  it('ships the sample audience its generator makes, so the two never drift apart', () => {
    const committed = readFileSync(path.join(root, 'demo', 'sample', 'audience.jsonl'), 'utf8');
    expect(committed).toBe(toMessages(buildSampleAudience()).join('\n') + '\n');
  });

  it('enrols the sample audience on the emulator and reports every outcome', async () => {
    const { code, out } = await runDemo();
    expect(code, out).toBe(0);
    expect(out).toMatch(/check\s+SUCCEEDED/);
    expect(out).toMatch(
      /discover\s+2 Active program\(s\): Welcome journey \(program 1001\), Every-time journey \(program 1002\)/,
    );
    expect(out).toMatch(/write\s+ok/);
    const read = figure(out, 'records read');
    const enrolled = figure(out, 'enrolled \\(by Dotdigital\\)');
    const rejected = figure(out, 'rejected');
    // Every record ends enrolled or rejected, and the emulator saw each enrolled contact once.
    expect(enrolled + rejected).toBe(read);
    expect(enrolled).toBeGreaterThan(1000);
    expect(figure(out, 'contacts enrolled more than once')).toBe(0);
    expect(figure(out, 'staging lists left behind')).toBe(0);
    expect(figure(out, 'staging lists kept for the look-back')).toBe(1);
    for (const reason of ['duplicate_in_sync', 'invalid_email', 'contact_not_found', 'missing_identifier']) {
      expect(out).toContain(reason);
    }
  });
});
