import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { createEnrolmentEngine } from '../../../src/enrolment/enrol/index.js';
import { TransientError } from '../../../src/protocol/errors.js';
import { parseStagingListName } from '../../../src/enrolment/enrol/staging-list-name.js';
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
  return { emulator, client, engineFor, clock, lines };
}

const stagingLists = (emulator: RunningEmulator) =>
  emulator.control.addressBooks().filter((book) => parseStagingListName(book.name) !== undefined);

const ENROLMENT_STATUS = 'GET /v2/programs/enrolments/{id|status}';

describe('list mode', () => {
  it('enrols a large batch with one enrolment call through a private staging list, then deletes it on release', async () => {
    const { emulator, engineFor, clock } = await setUp();
    const engine = engineFor('run1');
    const audience = subscribedOrdinals(1000).map(contactIdOf);
    const batch = [...audience, contactIdOf(11), UNKNOWN_CONTACT];

    const submitted = await engine.submit(batch);

    expect(submitted.mode).toBe('list');
    expect(submitted.contactIds).toHaveLength(1001);
    const [list] = stagingLists(emulator);
    expect(list).toMatchObject({ name: 'airbyte-dd-enrol:p1002:run1:1', visibility: 'Private' });
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
    expect(engine.details().stagingListsLeft).toBe(0);
    expect(statusCalls()).toBe(statusCallsBefore);
  });

  it('chooses list mode in auto above the threshold and contacts mode below it', async () => {
    const { engineFor } = await setUp({ enrolmentMode: 'auto', listModeThreshold: 100 });
    const engine = engineFor('auto1');
    expect(engine.modeFor(25)).toBe('contacts');
    expect(engine.modeFor(26)).toBe('list');
    expect(engine.modeFor(100)).toBe('list');
    expect(engine.maxBatchSize()).toBeGreaterThan(25);
    const small = await engine.submit(subscribedOrdinals(10).map(contactIdOf));
    expect(small.mode).toBe('contacts');
    expect(engine.details().batchesByMode).toEqual({ contacts: 1, list: 0 });
  });
});

describe('recovery of staging lists after a crash', () => {
  it('counts an enrolled leftover list as enrolled, keeps it until cleanUp, and deletes a never-enrolled one at once', async () => {
    const { emulator, client, engineFor, clock } = await setUp();
    const crashed = engineFor('crashed');
    const enrolledBatch = subscribedOrdinals(60).map(contactIdOf);
    const accepted = await crashed.submit(enrolledBatch);
    await crashed.confirm(accepted, clock.now() + 60_000);
    // A list the crashed run created but never enrolled, and lists that are not the connector's.
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
    expect(remaining()).toContain(enrolledList);

    await rerun.cleanUp();
    expect(remaining()).not.toContain(enrolledList);
    expect(remaining()).toEqual(expect.arrayContaining([otherProgram.id, someoneElses.id]));
  });

  it('warns and deletes a leftover list when Dotdigital does not say which lists enrolments named', async () => {
    const { emulator, engineFor, clock, lines } = await setUp();
    emulator.control.updateSettings({ listEnrolmentContacts: false });
    const crashed = engineFor('crashed');
    await crashed.confirm(
      await crashed.submit(subscribedOrdinals(40).map(contactIdOf)),
      clock.now() + 60_000,
    );

    const recent = await engineFor('rerun').recentlyEnrolled();

    expect(recent.size).toBe(0);
    expect(stagingLists(emulator)).toEqual([]);
    expect(lines.some((l) => l.level === 40 && /may have enrolled this staging list/.test(l.msg))).toBe(true);
  });

  it('leaves leftover lists alone in a dry run', async () => {
    const { emulator, client, engineFor } = await setUp({ dryRun: true });
    await client.createAddressBook('airbyte-dd-enrol:p1002:crashed:1', 'Private');
    await engineFor('dry').recentlyEnrolled();
    expect(stagingLists(emulator)).toHaveLength(1);
  });

  it('deletes a list held for a release that never came when the sync ends successfully', async () => {
    const { emulator, engineFor, clock } = await setUp();
    const engine = engineFor('run2');
    const submitted = await engine.submit(subscribedOrdinals(30).map(contactIdOf));
    await engine.confirm(submitted, clock.now() + 60_000);
    expect(stagingLists(emulator)).toHaveLength(1);
    expect(engine.details().stagingListsLeft).toBe(1);

    await engine.cleanUp();

    expect(stagingLists(emulator)).toEqual([]);
  });

  it('keeps a released list while Dotdigital is still enrolling it, even at cleanUp', async () => {
    const { emulator, engineFor, clock, lines } = await setUp();
    // Imports finish as usual; the enrolment takes an emulated hour.
    emulator.control.updateSettings({ enrolmentProcessingMs: 3_600_000 });
    const engine = engineFor('run3');
    const submitted = await engine.submit(subscribedOrdinals(30).map(contactIdOf));
    expect((await engine.confirm(submitted, clock.now() + 3_000)).finished).toBe(false);

    await engine.release(submitted);
    await engine.cleanUp();

    expect(stagingLists(emulator)).toHaveLength(1);
    expect(lines.some((l) => l.level === 40 && /still enrolling it/.test(l.msg))).toBe(true);

    emulator.control.setClock({ advanceMs: 3_600_000 });
    expect((await engine.confirm(submitted, clock.now() + 60_000)).finished).toBe(true);
    await engine.cleanUp();
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
