/**
 * Writes demo/sample/audience.jsonl: the sample audience the demo enrols, as Airbyte RECORD and STATE
 * messages. Built from the emulator's deterministic sample account (emulator/README.md documents the
 * patterns), so every kind of record the connector must handle appears: valid emails written sloppily,
 * mobile numbers in international and national form, contact IDs, duplicates, invalid identifiers,
 * unknown people, records without any identifier, and suppressed or unsubscribed contacts.
 *
 * Run: node dist/demo/make-sample-audience.js [path]
 */
import { writeFileSync } from 'node:fs';
import { generatedEmail, generatedMobile, SAMPLE } from '../emulator/src/index.js';

const MEMBERS = 2000;
const STATE_EVERY = 250;
const STREAM = 'audience';

function seededShuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function member(n: number): Record<string, unknown> {
  const contactId = SAMPLE.firstContactId + n - 1;
  if (n % 50 === 0) return { contact_id: String(contactId), segment: 'vip' };
  if (n % 10 === 7) {
    // Mobile-only contacts: half written in international form, half in national (UK) form.
    const digits = generatedMobile(n);
    const national = `0${digits.slice(2, 6)} ${digits.slice(6)}`;
    return { mobile_number: n % 20 === 7 ? `+${digits}` : national, segment: 'sms' };
  }
  const email = generatedEmail(n);
  return { email: n % 3 === 0 ? `  ${email.toUpperCase()} ` : email, segment: 'email' };
}

export function buildSampleAudience(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let n = 1; n <= MEMBERS; n++) rows.push(member(n));
  for (let i = 1; i <= 100; i++)
    rows.push({ email: generatedEmail(i * 7).replace('user', 'User'), segment: 'dup' });
  for (let i = 1; i <= 60; i++) rows.push({ email: `not-an-email-${i}`, segment: 'bad' });
  for (let i = 1; i <= 40; i++) rows.push({ mobile_number: `12ab${i}`, segment: 'bad' });
  for (let i = 1; i <= 80; i++) rows.push({ email: `nobody${i}@example.org`, segment: 'unknown' });
  for (let i = 1; i <= 20; i++) rows.push({ first_name: `Anon ${i}`, segment: 'no-id' });
  return seededShuffle(rows, 20261123);
}

export function toMessages(rows: Record<string, unknown>[]): string[] {
  const lines: string[] = [];
  rows.forEach((data, i) => {
    lines.push(
      JSON.stringify({ type: 'RECORD', record: { stream: STREAM, data, emitted_at: 1763856000000 } }),
    );
    const done = i + 1;
    if (done % STATE_EVERY === 0 || done === rows.length) {
      lines.push(
        JSON.stringify({
          type: 'STATE',
          state: {
            type: 'STREAM',
            stream: { stream_descriptor: { name: STREAM }, stream_state: { cursor: done } },
            sourceStats: { recordCount: done % STATE_EVERY === 0 ? STATE_EVERY : done % STATE_EVERY },
          },
        }),
      );
    }
  });
  return lines;
}

if (process.argv[1]?.endsWith('make-sample-audience.js')) {
  const target = process.argv[2] ?? 'demo/sample/audience.jsonl';
  const lines = toMessages(buildSampleAudience());
  writeFileSync(target, lines.join('\n') + '\n');
  console.log(`wrote ${lines.length} messages to ${target}`);
}
