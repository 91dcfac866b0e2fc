import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { batchMode, FALLBACK_MAX_CONTACTS } from '../../../src/enrolment/batch-mode.js';
import { IMPORT_TRIES } from '../../../src/enrolment/enrol/staging-import.js';
import { createEnrolmentEngine } from '../../../src/enrolment/enrol/index.js';
import { ConfigError, TransientError } from '../../../src/protocol/errors.js';
import { parseStagingListName, stagingListName } from '../../../src/enrolment/enrol/staging-list-name.js';
import { contactIdOf, engineTestBed, subscribedOrdinals } from './support/emulator-harness.js';

const UNKNOWN_CONTACT = 999_999_999;

const bed = engineTestBed();

async function setUp(config: Partial<ConnectorConfig> = {}) {
  const started = await bed.start({ config: { enrolmentMode: 'list', ...config } });
  const { emulator, client, logger, lines, clock } = started;
  const engineFor = (syncId: string) =>
    createEnrolmentEngine(client, started.config, 1002, logger, {
      clock,
      syncId,
      polling: { initialDelayMs: 500, maxDelayMs: 2000 },
      imports: { chunkSize: 400, pollInitialMs: 500 },
    });
  /** A list another sync left staged for program 1002, its lease ending at `until`. */
  const leftStaged = (syncId: string, until: number) =>
    client.createAddressBook(
      stagingListName({ programId: 1002, syncId, sequence: 1, phase: 'staged', until }),
      'Private',
    );
  return { emulator, client, engineFor, clock, lines, leftStaged };
}

const stagingLists = (emulator: RunningEmulator) =>
  emulator.control.addressBooks().filter((book) => parseStagingListName(book.name) !== undefined);

const ENROLMENT_STATUS = 'GET /v2/programs/enrolments/{id|status}';

describe('list mode', () => {
  it('enrols a large batch with one enrolment call through a private staging list, then (look-back off) deletes it on release', async () => {
    const { emulator, engineFor, clock } = await setUp({ recentEnrolmentLookbackHours: 0 });
    const engine = engineFor('run1');
    const audience = subscribedOrdinals(1000).map(contactIdOf);
    const batch = [...audience, contactIdOf(11), UNKNOWN_CONTACT];

    const submitted = await engine.submit(batch);

    expect(submitted.mode).toBe('list');
    expect(submitted.contactIds).toHaveLength(1001);
    const [list] = stagingLists(emulator);
    expect(list).toMatchObject({ visibility: 'Private' });
    expect(parseStagingListName(list!.name)).toMatchObject({
      syncId: 'run1',
      sequence: 1,
      phase: 'enrolled',
    });
    expect(list?.contacts).toHaveLength(1001);
    // Chunks of 400: three imports.
    expect(emulator.control.imports()).toHaveLength(3);

    const confirmation = await engine.confirm(submitted, clock.now() + 60_000);
    expect(confirmation.finished).toBe(true);
    expect(confirmation.faults).toEqual(
      expect.arrayContaining([
        { contactId: UNKNOWN_CONTACT, reason: 'contact_not_found' },
        { contactId: contactIdOf(11), reason: 'Unsubcribed' },
      ]),
    );
    expect(confirmation.faults).toHaveLength(2);
    const calls = emulator.control.enrolmentCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.addressBooks).toEqual([list?.id]);
    expect(emulator.control.enrolmentState(1002).contacts).toHaveLength(1000);
    expect(engine.stats().allowanceSpent).toBe(1);

    // confirm() saw the enrolment finish: release deletes the list without asking Dotdigital again.
    const statusCalls = () =>
      Object.values(emulator.control.counters().byEndpoint[ENROLMENT_STATUS] ?? {}).reduce(
        (a, b) => a + b,
        0,
      );
    const statusCallsBefore = statusCalls();
    await engine.release(submitted);
    expect(stagingLists(emulator)).toEqual([]);
    expect(engine.stats().stagingListsLeft).toBe(0);
    expect(statusCalls()).toBe(statusCallsBefore);
  });

  it('chooses list mode in auto above the threshold and contacts mode below it', async () => {
    const { engineFor } = await setUp({ enrolmentMode: 'auto', listModeThreshold: 100 });
    const engine = engineFor('auto1');
    const rule = { enrolmentMode: 'auto' as const, listModeThreshold: 100 };
    expect(batchMode(rule, 25)).toBe('contacts');
    expect(batchMode(rule, 26)).toBe('list');
    expect(batchMode(rule, 100)).toBe('list');
    const small = await engine.submit(subscribedOrdinals(10).map(contactIdOf));
    expect(small.mode).toBe('contacts');
    expect(engine.stats().batchesByMode).toEqual({ contacts: 1, list: 0 });
  });
});

describe('recovery of staging lists after a crash', () => {
  it('counts an enrolled list of another run as enrolled and keeps it for the look-back; deletes an abandoned never-enrolled one at once', async () => {
    const { emulator, client, engineFor, clock } = await setUp();
    const crashed = engineFor('crashed');
    const enrolledBatch = subscribedOrdinals(60).map(contactIdOf);
    const accepted = await crashed.submit(enrolledBatch);
    await crashed.confirm(accepted, clock.now() + 60_000);
    // A list an earlier version created but never enrolled, and lists that are not the connector's.
    const neverEnrolled = await client.createAddressBook('airbyte-dd-enrol:p1002:crashed:2', 'Private');
    const otherProgram = await client.createAddressBook('airbyte-dd-enrol:p1001:crashed:1', 'Private');
    const someoneElses = await client.createAddressBook('Newsletter', 'Private');

    const rerun = engineFor('rerun');
    const recent = await rerun.recentlyEnrolled();

    expect([...recent].sort()).toEqual([...enrolledBatch].sort());
    const remaining = () => emulator.control.addressBooks().map((book) => book.id);
    expect(remaining()).not.toContain(neverEnrolled.id);
    expect(remaining()).toEqual(expect.arrayContaining([otherProgram.id, someoneElses.id]));
    const enrolledList = emulator.control.enrolmentCalls()[0]?.addressBooks[0];
    await rerun.finish();
    expect(remaining()).toContain(enrolledList);

    // Once the look-back (24 h here) has passed, any run deletes it.
    emulator.control.setClock({ advanceMs: 25 * 3_600_000 });
    await engineFor('later').recentlyEnrolled();
    expect(remaining()).not.toContain(enrolledList);
    expect(remaining()).toEqual(expect.arrayContaining([otherProgram.id, someoneElses.id]));
  });

  it.each(['null', 'empty'] as const)(
    'recognises an enrolled list by its name when the answers give %s members, and records sent again after the echo enrol nobody twice',
    async (members) => {
      const { emulator, engineFor, clock } = await setUp();
      emulator.control.updateSettings({ enrolmentAnswerMembers: members });
      const first = engineFor('first');
      const batch = subscribedOrdinals(40).map(contactIdOf);
      const submitted = await first.submit(batch);
      await first.confirm(submitted, clock.now() + 60_000);
      // Its states were echoed and the sync ended; the platform sends the same records again.
      await first.release(submitted);
      await first.finish();

      const recent = await engineFor('again').recentlyEnrolled();

      expect([...recent].sort()).toEqual([...batch].sort());
      expect(stagingLists(emulator)).toHaveLength(1);
    },
  );

  it('reads members through Contacts v3, so mobile-only contacts are recognised too', async () => {
    const { engineFor, clock } = await setUp();
    // Ordinals ending in 7 have a mobile number and no email.
    const mobileOnly = [7, 17, 27, 37, 47, 57].map(contactIdOf);
    const batch = [...subscribedOrdinals(30).map(contactIdOf), ...mobileOnly];
    const crashed = engineFor('crashed');
    await crashed.confirm(await crashed.submit(batch), clock.now() + 60_000);

    const recent = await engineFor('rerun').recentlyEnrolled();

    expect(mobileOnly.filter((id) => !recent.has(id))).toEqual([]);
    expect([...recent].sort()).toEqual([...batch].sort());
  });

  it('never touches a staging list another sync still holds, nor counts its members', async () => {
    const { emulator, engineFor, clock, leftStaged } = await setUp();
    const held = await leftStaged('busy', clock.now() + 3_600_000);
    const abandoned = await leftStaged('gone', clock.now() - 1);

    const other = engineFor('other');
    expect((await other.recentlyEnrolled()).size).toBe(0);
    await other.finish();

    const ids = stagingLists(emulator).map((list) => list.id);
    expect(ids).toContain(held.id);
    expect(ids).not.toContain(abandoned.id);
  });

  it('warns and deletes an abandoned list never marked enrolled when the answers name no lists', async () => {
    const { emulator, engineFor, clock, lines, leftStaged } = await setUp();
    emulator.control.updateSettings({ enrolmentAnswerMembers: 'null' });
    const crashed = engineFor('crashed');
    await crashed.confirm(await crashed.submit(subscribedOrdinals(5).map(contactIdOf)), clock.now() + 60_000);
    await leftStaged('gone', clock.now() - 1);

    await engineFor('rerun').recentlyEnrolled();

    expect(stagingLists(emulator).map((list) => parseStagingListName(list.name)?.syncId)).toEqual([
      'crashed',
    ]);
    expect(lines.some((l) => l.level === 40 && /could mark this staging list enrolled/.test(l.msg))).toBe(
      true,
    );
  });

  it('leaves a list it cannot delete for a later run, with a warning, instead of failing', async () => {
    const { emulator, engineFor, clock, lines } = await setUp({ recentEnrolmentLookbackHours: 0 });
    const engine = engineFor('stuck');
    const submitted = await engine.submit(subscribedOrdinals(30).map(contactIdOf));
    await engine.confirm(submitted, clock.now() + 60_000);
    emulator.control.setFaults({
      queue: [{ kind: 'status', status: 400, endpoint: 'DELETE /v2/address-books/{id}' }],
    });

    await engine.release(submitted);
    await engine.finish();

    expect(stagingLists(emulator)).toHaveLength(1);
    expect(lines.some((l) => l.level === 40 && /Could not delete a staging list/.test(l.msg))).toBe(true);
  });

  it('leaves leftover lists alone in a dry run', async () => {
    const { emulator, client, engineFor } = await setUp({ dryRun: true });
    await client.createAddressBook('airbyte-dd-enrol:p1002:crashed:1', 'Private');
    await engineFor('dry').recentlyEnrolled();
    expect(stagingLists(emulator)).toHaveLength(1);
  });

  it('deletes a list held for a release that never came when the sync ends successfully (look-back off)', async () => {
    const { emulator, engineFor, clock } = await setUp({ recentEnrolmentLookbackHours: 0 });
    const engine = engineFor('run2');
    const submitted = await engine.submit(subscribedOrdinals(30).map(contactIdOf));
    await engine.confirm(submitted, clock.now() + 60_000);
    expect(stagingLists(emulator)).toHaveLength(1);
    expect(engine.stats().stagingListsLeft).toBe(1);

    await engine.finish();

    expect(stagingLists(emulator)).toEqual([]);
  });

  it('keeps a released list while Dotdigital is still enrolling it, even at finish (look-back off)', async () => {
    const { emulator, engineFor, clock, lines } = await setUp({ recentEnrolmentLookbackHours: 0 });
    // Imports finish as usual; the enrolment takes an emulated hour.
    emulator.control.updateSettings({ enrolmentProcessingMs: 3_600_000 });
    const engine = engineFor('run3');
    const submitted = await engine.submit(subscribedOrdinals(30).map(contactIdOf));
    expect((await engine.confirm(submitted, clock.now() + 3_000)).finished).toBe(false);

    await engine.release(submitted);
    await engine.finish();

    expect(stagingLists(emulator)).toHaveLength(1);
    expect(lines.some((l) => l.level === 40 && /still enrolling it/.test(l.msg))).toBe(true);

    emulator.control.setClock({ advanceMs: 3_600_000 });
    expect((await engine.confirm(submitted, clock.now() + 60_000)).finished).toBe(true);
    await engine.finish();
    expect(stagingLists(emulator)).toEqual([]);
  });

  it('ends as transient, rather than hanging, when an import never finishes', async () => {
    const { emulator, client, config, logger, clock } = await bed.start({
      config: { enrolmentMode: 'list' },
    });
    emulator.control.setFaults({ processingNeverFinishes: true });
    const engine = createEnrolmentEngine(client, config, 1002, logger, {
      clock,
      syncId: 'stuck',
      imports: { pollInitialMs: 1000, maxWaitMs: 60_000 },
    });

    await expect(engine.submit(subscribedOrdinals(30).map(contactIdOf))).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(emulator.control.enrolmentCalls()).toEqual([]);
    // Never enrolled, so of no use to a re-run.
    expect(stagingLists(emulator)).toEqual([]);
  });
});

describe('imports Dotdigital keeps ending in a failure state (issue 12)', () => {
  it.each(['Failed', 'RejectedByWatchdog', 'ExceedsAllowedContactLimit'] as const)(
    'auto mode: after the halving is spent (%s), the batch is enrolled by contact IDs, 25 a call',
    async (endState) => {
      const { emulator, engineFor, clock, lines } = await setUp({
        enrolmentMode: 'auto',
        listModeThreshold: 10,
      });
      emulator.control.updateSettings({ importEndState: endState });
      const engine = engineFor('refused');
      const batch = subscribedOrdinals(30).map(contactIdOf);

      const submitted = await engine.submit(batch);

      expect(batchMode({ enrolmentMode: 'auto', listModeThreshold: 10 }, batch.length)).toBe('list');
      expect(submitted.contactIds).toEqual(batch);
      const calls = emulator.control.enrolmentCalls();
      expect(calls.map((call) => call.contacts?.length)).toEqual([25, 5]);
      expect(calls.every((call) => (call.addressBooks ?? []).length === 0)).toBe(true);
      // Bounded: the first import, then halves, down to IMPORT_TRIES tries.
      expect(emulator.control.imports().length).toBeLessThanOrEqual(2 ** IMPORT_TRIES - 1);
      // The list no contact could be added to is gone.
      expect(stagingLists(emulator)).toEqual([]);
      expect(lines.some((l) => l.level === 40 && /enrolling them by contact IDs instead/.test(l.msg))).toBe(
        true,
      );

      const confirmation = await engine.confirm(submitted, clock.now() + 60_000);
      expect(confirmation).toEqual({ finished: true, faults: [] });
      expect(engine.stats().allowanceSpent).toBe(2);
    },
  );

  it('list mode promises staging lists only: it stops with a config error and enrols nobody', async () => {
    const { emulator, engineFor } = await setUp({ enrolmentMode: 'list' });
    emulator.control.updateSettings({ importEndState: 'RejectedByWatchdog' });

    const error = await engineFor('listonly')
      .submit(subscribedOrdinals(30).map(contactIdOf))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /would not add 30 contacts.*RejectedByWatchdog, 4 times.*enrolment_mode is list.*set enrolment_mode to auto/,
    );
    expect(emulator.control.enrolmentCalls()).toEqual([]);
    expect(stagingLists(emulator)).toEqual([]);
  });

  it("auto mode stops with a config error when the refused contacts exceed an hour's allowance", async () => {
    const { emulator, engineFor } = await setUp({ enrolmentMode: 'auto', listModeThreshold: 10 });
    emulator.control.updateSettings({ importEndState: 'ExceedsAllowedContactLimit' });

    const error = await engineFor('toomany')
      .submit(subscribedOrdinals(FALLBACK_MAX_CONTACTS + 1).map(contactIdOf))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/more than the 500 contacts/);
    expect(emulator.control.enrolmentCalls()).toEqual([]);
  });
});
