import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  catalog,
  contactId,
  email,
  EMULATOR_OPTIONS,
  enrolmentCounts,
  files,
  globalState,
  legacyState,
  mobile,
  reachable,
  rec,
  runWrite,
  streamState,
  type Message,
} from './write-harness.js';
import { parseStagingListName } from '../../src/enrolment/enrol/staging-list-name.js';
import { emulatorForEachTest } from '../support/emulator-lifecycle.js';

const emu = emulatorForEachTest(EMULATOR_OPTIONS);

describe('write (built CLI against the emulator)', () => {
  it('enrols a contact-ID audience in full batches and echoes every state with exact counts', async () => {
    const audience = reachable(60);
    const input: Message[] = [];
    audience.forEach((n, i) => {
      input.push(rec({ contact_id: contactId(n) }));
      if ((i + 1) % 20 === 0) input.push(streamState(i + 1));
    });
    const run = await runWrite(emu(), input);
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.states.map((s) => s.stream.stream_state.cursor)).toEqual([20, 40, 60]);
    // Every field of the incoming state is kept.
    expect(run.states[0]).toMatchObject({ id: 20, sourceStats: { recordCount: 1 } });
    expect(run.states.map((s) => s.destinationStats)).toEqual([
      { recordCount: 20, rejectedRecordCount: 0 },
      { recordCount: 20, rejectedRecordCount: 0 },
      { recordCount: 20, rejectedRecordCount: 0 },
    ]);
    const counts = enrolmentCounts(emu(), 1002);
    expect(audience.every((n) => counts.get(contactId(n)) === 1)).toBe(true);
    expect(counts.size).toBe(60);
    expect(
      emu()
        .control.enrolmentCalls()
        .map((c) => c.contacts?.length),
    ).toEqual([25, 25, 10]);
    const summary = run.logs.find((l) => l.startsWith('Sync finished'));
    expect(summary).toContain('60 enrolled');
    expect(summary).toContain('"allowance_spent":3');
  });

  it('enrols email and mobile audiences and rejects what it cannot enrol, with reasons in the rejected-records file', async () => {
    const { dir } = files({}, {});
    const rejectedPath = path.join(dir, 'rejected.jsonl');
    const input: Message[] = [
      rec({ email: email(1).toUpperCase() }), // enrolled (normalised)
      rec({ mobile: `0${mobile(2).slice(2)}` }), // enrolled, national format in GB
      rec({ email: ` ${email(4)} ` }), // enrolled
      rec({ email: 'not an email' }), // invalid_email
      rec({ mobile: '+44 12' }), // invalid_mobile_number
      rec({ contact_id: 'abc' }), // invalid_contact_id
      rec({ name: 'no identifier' }), // missing_identifier
      rec({ email: 'nobody@example.com' }), // contact_not_found
      rec({ email: email(11) }), // unsubscribed
      rec({ email: email(21) }), // suppressed, hard bounced
      rec({ contact_id: contactId(1) }), // duplicate of the first record
      globalState(1),
      rec({ email: email(5) }),
      globalState(2),
    ];
    const run = await runWrite(emu(), input, {
      // Single look-ups carry channel statuses, which name why a suppressed contact is suppressed.
      config: { rejected_records: { destination: 'local_file', path: rejectedPath }, resolution: 'lookup' },
    });
    expect(run.errors).toEqual([]);
    // recordCount leaves out the rejected records (the platform adds rejectedRecordCount back).
    expect(run.states.map((s) => s.destinationStats)).toEqual([
      {
        recordCount: 3,
        rejectedRecordCount: 8,
        additionalStats: {
          'rejected.contact_hard_bounced': 1,
          'rejected.contact_not_found': 1,
          'rejected.contact_unsubscribed': 1,
          'rejected.duplicate_in_sync': 1,
          'rejected.invalid_contact_id': 1,
          'rejected.invalid_email': 1,
          'rejected.invalid_mobile_number': 1,
          'rejected.missing_identifier': 1,
        },
      },
      { recordCount: 1, rejectedRecordCount: 0 },
    ]);
    const rejected = readFileSync(rejectedPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Message);
    expect(rejected.map((r) => r.reason).sort()).toEqual(
      [
        'contact_hard_bounced',
        'contact_not_found',
        'contact_unsubscribed',
        'duplicate_in_sync',
        'invalid_contact_id',
        'invalid_email',
        'invalid_mobile_number',
        'missing_identifier',
      ].sort(),
    );
    expect(rejected.find((r) => r.reason === 'invalid_email')).toMatchObject({
      record: { email: 'not an email' },
      stream: { name: 'audience' },
      emitted_at: 1_700_000_000_000,
    });
    const counts = enrolmentCounts(emu(), 1002);
    expect([...counts.keys()].sort()).toEqual([1, 2, 4, 5].map(contactId));
    const summary = run.logs.find((l) => l.startsWith('Sync finished'))!;
    expect(summary).toContain('"duplicate_in_sync":1');
  });

  it('rejects contacts the program rules refuse, with Dotdigital’s reason from the fault report', async () => {
    const audience = reachable(3);
    const input = [...audience.map((n) => rec({ contact_id: contactId(n) })), streamState(1)];
    const first = await runWrite(emu(), input, { config: { program_id: 1001 } });
    expect(first.errors).toEqual([]);
    // A new sync of the same audience, without the crash-recovery look-back: Dotdigital refuses them.
    const second = await runWrite(emu(), input, {
      config: { program_id: 1001, recent_enrolment_lookback_hours: 0 },
    });
    expect(second.errors).toEqual([]);
    expect(second.states[0]!.destinationStats).toMatchObject({ recordCount: 0, rejectedRecordCount: 3 });
    expect(second.logs.find((l) => l.startsWith('Sync finished'))).toMatch(/"enrolment_fault:[A-Za-z]+":3/);
    expect([...enrolmentCounts(emu(), 1001).values()]).toEqual([1, 1, 1]);
  });

  it('counts contacts enrolled by a recent enrolment as enrolled instead of enrolling them again', async () => {
    // The look-back knows a contacts-mode enrolment's members only when Dotdigital's answers list them.
    emu().control.updateSettings({ enrolmentAnswerMembers: 'listed' });
    const audience = reachable(5);
    const input = [...audience.map((n) => rec({ contact_id: contactId(n) })), streamState(1)];
    await runWrite(emu(), input);
    const again = await runWrite(emu(), input);
    expect(again.errors).toEqual([]);
    expect(again.states[0]!.destinationStats).toEqual({ recordCount: 5, rejectedRecordCount: 0 });
    expect(again.logs.find((l) => l.startsWith('Sync finished'))).toContain('5 already enrolled recently');
    expect(emu().control.enrolmentCalls()).toHaveLength(1);
  });

  it('handles STREAM states of several streams and LEGACY states with exact destinationStats', async () => {
    const [a1, a2, b1, b2, c1] = reachable(5);
    const streams = await runWrite(
      emu(),
      [
        rec({ contact_id: contactId(a1!) }, 'a'),
        rec({ contact_id: 'bad' }, 'b'),
        rec({ contact_id: contactId(b1!) }, 'b'),
        streamState(1, 'a'),
        rec({ contact_id: contactId(a2!) }, 'a'),
        streamState(1, 'b'),
        rec({ contact_id: contactId(b2!) }, 'b', 'ns'),
        streamState(2, 'a'),
        streamState(1, 'b', 'ns'),
      ],
      { catalog: catalog([{ name: 'a' }, { name: 'b' }, { name: 'b', namespace: 'ns' }]) },
    );
    expect(streams.errors).toEqual([]);
    expect(streams.states.map((s) => [s.stream.stream_descriptor, s.destinationStats])).toEqual([
      [{ name: 'a' }, { recordCount: 1, rejectedRecordCount: 0 }],
      [
        { name: 'b' },
        { recordCount: 1, rejectedRecordCount: 1, additionalStats: { 'rejected.invalid_contact_id': 1 } },
      ],
      [{ name: 'a' }, { recordCount: 1, rejectedRecordCount: 0 }],
      [
        { name: 'b', namespace: 'ns' },
        { recordCount: 1, rejectedRecordCount: 0 },
      ],
    ]);
    const legacy = await runWrite(emu(), [
      rec({ contact_id: contactId(c1!) }),
      rec({ email: 'x' }),
      legacyState(1),
      legacyState(2),
    ]);
    expect(legacy.states).toEqual([
      {
        type: 'LEGACY',
        data: { cursor: 1 },
        destinationStats: {
          recordCount: 1,
          rejectedRecordCount: 1,
          additionalStats: { 'rejected.invalid_email': 1 },
        },
      },
      { type: 'LEGACY', data: { cursor: 2 }, destinationStats: { recordCount: 0, rejectedRecordCount: 0 } },
    ]);
  });

  it('ends with a transient error when the allowance runs out, after echoing done states; a re-run finishes', async () => {
    emu().control.updateSettings({ enrolmentAllowancePerHour: 2 });
    const audience = reachable(100);
    const input: Message[] = [];
    audience.forEach((n, i) => {
      input.push(rec({ contact_id: contactId(n) }));
      if ((i + 1) % 25 === 0) input.push(streamState(i + 1));
    });
    const first = await runWrite(emu(), input);
    expect(first.code).not.toBe(0);
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]).toMatchObject({ failure_type: 'transient_error' });
    expect(first.states.map((s) => s.stream.stream_state.cursor)).toEqual([25, 50]);

    // An hour later the orchestrator re-runs from the last echoed state.
    emu().control.setClock({ advanceMs: 3_600_000 });
    const lastCursor = first.states.at(-1)!.stream.stream_state.cursor as number;
    const rest = input.slice(
      input.findIndex((m) => m.type === 'STATE' && m.state.stream.stream_state.cursor === lastCursor) + 1,
    );
    const second = await runWrite(emu(), rest);
    expect(second.errors).toEqual([]);
    expect(second.states.map((s) => s.stream.stream_state.cursor)).toEqual([75, 100]);
    const counts = enrolmentCounts(emu(), 1002);
    expect(audience.every((n) => counts.get(contactId(n)) === 1)).toBe(true);
  });

  it('list mode enrols a batch through one staging list, then keeps it, marked enrolled, for the look-back', async () => {
    const audience = reachable(60);
    const input: Message[] = [];
    audience.forEach((n, i) => {
      input.push(rec({ contact_id: contactId(n) }));
      if ((i + 1) % 20 === 0) input.push(streamState(i + 1));
    });
    const run = await runWrite(emu(), input, { config: { enrolment_mode: 'list' } });
    expect(run.errors).toEqual([]);
    expect(run.states.map((s) => s.destinationStats.recordCount)).toEqual([20, 20, 20]);
    const calls = emu().control.enrolmentCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.addressBooks).toHaveLength(1);
    const counts = enrolmentCounts(emu(), 1002);
    expect(audience.every((n) => counts.get(contactId(n)) === 1)).toBe(true);
    const left = emu().control.addressBooks();
    expect(left.map((book) => parseStagingListName(book.name)?.phase)).toEqual(['enrolled']);
    expect(run.logs.find((l) => l.startsWith('Sync finished'))).toContain(
      '"list":{"batches":1,"contacts":60',
    );
  });

  it('refuses an inactive program with a config error naming it, before reading any record', async () => {
    const run = await runWrite(emu(), [rec({ contact_id: contactId(1) }), streamState(1)], {
      config: { program_id: 1003 },
    });
    expect(run.code).not.toBe(0);
    expect(run.errors).toMatchObject([{ failure_type: 'config_error' }]);
    expect(run.errors[0]!.message).toContain('1003');
    expect(run.states).toEqual([]);
    expect(emu().control.enrolmentCalls()).toEqual([]);
  });

  it('refuses streams whose sync mode is not append', async () => {
    const run = await runWrite(emu(), [], { catalog: catalog([{ mode: 'overwrite' }]) });
    expect(run.errors).toMatchObject([{ failure_type: 'config_error' }]);
    expect(run.errors[0]!.message).toMatch(/append/);
  });

  it('takes the program from destination_object_name and the discover field names', async () => {
    const [n] = reachable(1);
    const run = await runWrite(emu(), [rec({ email: email(n!) }), streamState(1)], {
      config: { program_id: undefined, identifier_mapping: undefined },
      catalog: catalog([{ objectName: 'program_1001' }]),
    });
    expect(run.errors).toEqual([]);
    expect(enrolmentCounts(emu(), 1001).get(contactId(n!))).toBe(1);
  });

  it('takes the program id from a readable object name, even one from before the program was renamed', async () => {
    const [a, b] = reachable(2);
    const run = await runWrite(
      emu(),
      [rec({ email: email(a!) }), rec({ email: email(b!) }, 'old'), streamState(1)],
      {
        config: { program_id: undefined, identifier_mapping: undefined },
        catalog: catalog([
          { objectName: 'Welcome journey (program 1001)' },
          { name: 'old', objectName: 'A name it had before (program 1001)' },
        ]),
      },
    );
    expect(run.errors).toEqual([]);
    const counts = enrolmentCounts(emu(), 1001);
    expect([counts.get(contactId(a!)), counts.get(contactId(b!))]).toEqual([1, 1]);
  });

  it("lets the matching key picked in data activation (the stream's primary_key) decide over the precedence", async () => {
    const [n] = reachable(1);
    // By the default precedence contact_id decides, and a malformed one rejects the record.
    const input = [rec({ contact_id: 'not-a-contact-id', email: email(n!) }), streamState(1)];
    const byPrecedence = await runWrite(emu(), input, {
      config: { program_id: undefined, identifier_mapping: undefined },
      catalog: catalog([{ objectName: 'Welcome journey (program 1001)' }]),
    });
    expect(byPrecedence.errors).toEqual([]);
    expect(byPrecedence.states[0]!.destinationStats).toMatchObject({
      recordCount: 0,
      rejectedRecordCount: 1,
      additionalStats: { 'rejected.invalid_contact_id': 1 },
    });
    const byKey = await runWrite(emu(), input, {
      config: { program_id: undefined, identifier_mapping: undefined },
      catalog: catalog([{ objectName: 'Welcome journey (program 1001)', primaryKey: [['email']] }]),
    });
    expect(byKey.errors).toEqual([]);
    expect(byKey.states[0]!.destinationStats).toMatchObject({ recordCount: 1, rejectedRecordCount: 0 });
    expect(enrolmentCounts(emu(), 1001).get(contactId(n!))).toBe(1);
  });

  it('dry run resolves and reports but enrols nobody, spends no allowance and echoes no state', async () => {
    const audience = reachable(30);
    const run = await runWrite(
      emu(),
      [...audience.map((n) => rec({ contact_id: contactId(n) })), rec({ email: 'x' }), streamState(1)],
      {
        config: { dry_run: true },
      },
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.states).toEqual([]);
    expect(emu().control.enrolmentCalls()).toEqual([]);
    expect(emu().control.allowance().used).toBe(0);
    const summary = run.logs.find((l) => l.startsWith('Dry run finished'))!;
    expect(summary).toContain('30 would be enrolled');
    expect(summary).toContain('1 would be rejected');
    // The plan before spending: 30 contacts by contact ID, two enrolment calls of 25.
    expect(summary).toMatch(
      /A real sync would spend 2 enrolment allowance unit\(s\) \(contacts mode\), make about \d+ API calls/,
    );
    expect(summary).toContain('"plan":{"mode":"contacts","allowance_units":2');
  });

  it('completes under injected 5xx and rate limiting, enrolling every contact exactly once', async () => {
    emu().control.setFaults({ errorRate: 0.2, rateLimitRate: 0.1, seed: 3 });
    const audience = reachable(80);
    const input: Message[] = [];
    audience.forEach((n, i) => {
      input.push(rec({ email: email(n) }));
      if ((i + 1) % 10 === 0) input.push(streamState(i + 1));
    });
    const run = await runWrite(emu(), input, { timeoutMs: 120_000 });
    expect(run.errors).toEqual([]);
    expect(run.states).toHaveLength(8);
    expect(
      run.states.every(
        (s) => s.destinationStats.recordCount === 10 && s.destinationStats.rejectedRecordCount === 0,
      ),
    ).toBe(true);
    const counts = enrolmentCounts(emu(), 1002);
    expect(audience.every((n) => counts.get(contactId(n)) === 1)).toBe(true);
    expect(run.stdout).not.toContain(emu().sample.password);
    expect(run.stderr).not.toContain(emu().sample.password);
  }, 120_000);
});
