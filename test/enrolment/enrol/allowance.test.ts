import { describe, expect, it } from 'vitest';
import {
  ALLOWANCE_MIN_PAUSE_MS,
  ALLOWANCE_RECHECK_MS,
  AllowanceLedger,
  estimateFreeUp,
  nextPause,
} from '../../../src/enrolment/enrol/allowance.js';
import { ENROLMENT_ALLOWANCE_WINDOW_MS as ALLOWANCE_WINDOW_MS } from '../../../src/dotdigital/limits.js';
import { AllowanceWaiter } from '../../../src/enrolment/enrol/allowance-wait.js';
import { TransientError } from '../../../src/protocol/errors.js';
import { capturingLogger } from './support/log-capture.js';
import { ManualClock } from './support/manual-clock.js';

const MINUTE = 60_000;

function ledgerWithCalls(times: number[]): AllowanceLedger {
  const ledger = new AllowanceLedger();
  for (const time of times) ledger.record(time);
  return ledger;
}

describe('AllowanceLedger', () => {
  it('counts only calls inside the rolling hour', () => {
    const ledger = ledgerWithCalls([0, 10 * MINUTE, 59 * MINUTE]);
    expect(ledger.callsInWindow(59 * MINUTE)).toBe(3);
    expect(ledger.callsInWindow(ALLOWANCE_WINDOW_MS + 5 * MINUTE)).toBe(2);
    expect(ledger.oldestLeavesWindowAt(ALLOWANCE_WINDOW_MS + 5 * MINUTE)).toBe(
      10 * MINUTE + ALLOWANCE_WINDOW_MS,
    );
  });

  it('knows the window is spent only when its own calls fill it', () => {
    const times = Array.from({ length: 20 }, (_, i) => i * MINUTE);
    expect(ledgerWithCalls(times.slice(0, 19)).exhaustedByOwnCalls(30 * MINUTE)).toBe(false);
    expect(ledgerWithCalls(times).exhaustedByOwnCalls(30 * MINUTE)).toBe(true);
  });
});

describe('estimating when a unit frees up', () => {
  it('uses the oldest own call when Dotdigital gives no Retry-After', () => {
    const ledger = ledgerWithCalls([5 * MINUTE, 20 * MINUTE]);
    expect(estimateFreeUp(ledger, 30 * MINUTE)).toEqual({ freesUpAt: 65 * MINUTE, certain: false });
  });

  it("prefers Dotdigital's Retry-After, but not earlier than its own full window allows", () => {
    const partial = ledgerWithCalls([5 * MINUTE]);
    expect(estimateFreeUp(partial, 30 * MINUTE, 2 * MINUTE).freesUpAt).toBe(32 * MINUTE);
    const full = ledgerWithCalls(Array.from({ length: 20 }, (_, i) => 10 * MINUTE + i));
    expect(estimateFreeUp(full, 30 * MINUTE, 2 * MINUTE).freesUpAt).toBe(70 * MINUTE);
  });

  it('has no estimate when other integrations spent the window', () => {
    expect(estimateFreeUp(new AllowanceLedger(), 0)).toEqual({ freesUpAt: undefined, certain: false });
  });

  it('pauses until the estimate, but re-checks every few minutes and never busy-loops or overruns the budget', () => {
    expect(nextPause({ freesUpAt: 2 * MINUTE, certain: true }, 0, 60 * MINUTE)).toBe(2 * MINUTE);
    expect(nextPause({ freesUpAt: 50 * MINUTE, certain: false }, 0, 60 * MINUTE)).toBe(ALLOWANCE_RECHECK_MS);
    expect(nextPause({ freesUpAt: undefined, certain: false }, 0, 60 * MINUTE)).toBe(ALLOWANCE_RECHECK_MS);
    expect(nextPause({ freesUpAt: -5, certain: false }, 0, 60 * MINUTE)).toBe(ALLOWANCE_MIN_PAUSE_MS);
    expect(nextPause({ freesUpAt: 4 * MINUTE, certain: false }, 0, MINUTE)).toBe(MINUTE);
  });
});

describe('AllowanceWaiter', () => {
  it('waits without calling while its own calls fill the window, logging why and for how long', async () => {
    const clock = new ManualClock(0);
    const ledger = ledgerWithCalls(Array.from({ length: 20 }, (_, i) => i * MINUTE));
    const { logger, lines } = capturingLogger();
    const waiter = new AllowanceWaiter(ledger, clock, 120 * MINUTE, logger);
    clock.advance(30 * MINUTE);

    await waiter.beforeCall();

    // The oldest call (t=0) leaves the window at t=60 min; pauses are at most the re-check interval.
    expect(clock.now()).toBe(60 * MINUTE);
    expect(clock.sleeps.every((ms) => ms <= ALLOWANCE_RECHECK_MS)).toBe(true);
    expect(waiter.totalWaitMs).toBe(30 * MINUTE);
    const info = lines.filter((line) => line.level === 30);
    expect(info.length).toBe(clock.sleeps.length);
    expect(info[0]?.msg).toMatch(/enrolment allowance .* is used up; pausing 5m00s/);
  });

  it('gives up at once when the budget is 0, saying when the allowance frees up and that a re-run continues', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T10:00:00Z'));
    const waiter = new AllowanceWaiter(new AllowanceLedger(), clock, 0, capturingLogger().logger);

    const error = await waiter.afterRefusal(90_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain('2026-01-01T10:01:30Z');
    expect((error as TransientError).message).toMatch(/continues from the last saved state/);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not wait at all when the window is known to free up after the budget ends', async () => {
    const clock = new ManualClock(0);
    const ledger = ledgerWithCalls(Array.from({ length: 20 }, (_, i) => 40 * MINUTE + i));
    const waiter = new AllowanceWaiter(ledger, clock, 10 * MINUTE, capturingLogger().logger);
    clock.advance(45 * MINUTE);

    await expect(waiter.beforeCall()).rejects.toBeInstanceOf(TransientError);
    expect(clock.sleeps).toEqual([]);
  });

  it('spends the budget per episode: an accepted call restores it', async () => {
    const clock = new ManualClock(0);
    const waiter = new AllowanceWaiter(new AllowanceLedger(), clock, 10 * MINUTE, capturingLogger().logger);

    await waiter.afterRefusal(undefined);
    await waiter.afterRefusal(undefined);
    await expect(waiter.afterRefusal(undefined)).rejects.toBeInstanceOf(TransientError);
    waiter.accepted(clock.now());
    await expect(waiter.afterRefusal(undefined)).resolves.toBeUndefined();
    expect(waiter.totalWaitMs).toBe(15 * MINUTE);
  });

  it("ends at the batch's checkpoint deadline when that comes before the setting's budget, saying so", async () => {
    const clock = new ManualClock(0);
    const waiter = new AllowanceWaiter(new AllowanceLedger(), clock, 14 * MINUTE, capturingLogger().logger);
    // An import already took 9 minutes of the batch's 14: 5 are left for the allowance.
    const deadline = 5 * MINUTE;

    await waiter.afterRefusal(undefined, deadline);
    const refused = waiter.afterRefusal(undefined, deadline);
    await expect(refused).rejects.toBeInstanceOf(TransientError);
    await expect(refused).rejects.toThrow(/enrolment allowance.*15m00s Airbyte expects between states/);
    expect(clock.now()).toBe(deadline);
  });

  it('stops waiting when the sync is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    const waiter = new AllowanceWaiter(
      new AllowanceLedger(),
      new ManualClock(0),
      60 * MINUTE,
      capturingLogger().logger,
      controller.signal,
    );
    await expect(waiter.afterRefusal(undefined)).rejects.toThrow('stopped');
  });
});
