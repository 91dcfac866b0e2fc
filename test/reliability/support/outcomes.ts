/**
 * The end-of-sync checks every reliability scenario shares: what the emulator says was enrolled, what the
 * connector said it rejected, and what its echoed states claim.
 */
import { expect } from 'vitest';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import { segments, type Audience, type Message } from './audience.js';
import { enrolmentCounts, settleEnrolments } from './emulator.js';

/** Every valid contact enrolled exactly once into the program, and no one else. */
export async function expectEnrolledExactlyOnce(
  emu: RunningEmulator,
  audience: Audience,
  programId = 1002,
): Promise<void> {
  await settleEnrolments(emu);
  const counts = enrolmentCounts(emu, programId);
  const histogram: Record<string, number> = {};
  for (const id of audience.validContacts) {
    const times = String(counts.get(id) ?? 0);
    histogram[times] = (histogram[times] ?? 0) + 1;
  }
  const calls = emu.control
    .enrolmentCalls()
    .map(
      (c) => `${c.contacts.length} contacts/${c.addressBooks.length} lists → ${c.enrolled.length} enrolled`,
    );
  expect(histogram, `times enrolled → contacts; enrolment calls: ${calls.join(', ')}`).toEqual({
    '1': audience.validContacts.length,
  });
  expect(counts.size).toBe(audience.validContacts.length);
}

/** Every invalid record reported with its reason (in some attempt), and no valid record reported. */
export function expectRejectionsReported(
  audience: Audience,
  rejected: { record: Record<string, unknown>; reason: string }[],
): void {
  const reasons = new Map<string, Set<string>>();
  for (const row of rejected) {
    const key = String(row.record.key);
    if (!reasons.has(key)) reasons.set(key, new Set());
    reasons.get(key)!.add(row.reason);
  }
  const wrong: string[] = [];
  for (const [key, outcome] of audience.expected) {
    const got = [...(reasons.get(key) ?? [])].sort().join(',');
    const want = 'reject' in outcome ? outcome.reject : '';
    if (got !== want) wrong.push(`${key}: reported [${got}], expected [${want}]`);
  }
  expect(wrong).toEqual([]);
}

/** Each state echoed once over all attempts, in input order, with exact destinationStats. */
export function expectStatesTrue(audience: Audience, echoed: Message[]): void {
  const expected = segments(audience.input, audience.expected);
  expect(echoed.map((s) => s.id)).toEqual(Array.from({ length: audience.stateCount }, (_, i) => i + 1));
  const wrong = echoed
    .map((state) => {
      const want = expected.get(state.id)!;
      const got = state.destinationStats as { recordCount: number; rejectedRecordCount: number } | undefined;
      // recordCount excludes the rejected records (the platform's checksum adds them back).
      return got?.recordCount === want.records - want.rejected && got.rejectedRecordCount === want.rejected
        ? null
        : `state ${state.id}: ${JSON.stringify(got)}, expected ${want.records} records, ${want.rejected} rejected`;
    })
    .filter((line) => line !== null);
  expect(wrong).toEqual([]);
}
