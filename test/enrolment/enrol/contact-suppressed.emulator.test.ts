/**
 * ERROR_CONTACT_SUPPRESSED: Dotdigital can refuse a whole contacts-mode enrolment call because one contact's
 * status changed after the look-up (deleted, binned, unsubscribed). The engine drops the refused contacts as
 * rejections with their reason and enrols the rest, spending one allowance unit.
 */
import { describe, expect, it } from 'vitest';
import { createEnrolmentEngine } from '../../../src/enrolment/enrol/index.js';
import { contactIdOf, engineTestBed, subscribedOrdinals } from './support/emulator-harness.js';

const bed = engineTestBed();

describe('a contact status that fails the whole enrolment call', () => {
  it('rejects the refused contacts and enrols the others', async () => {
    const { emulator, client, config, logger, clock } = await bed.start({
      settings: {
        statusesFailingEnrolmentCall: ['deleted', 'binned', 'unsubscribed'],
        enrolmentProcessingMs: 30_000,
      },
    });
    const engine = createEnrolmentEngine(client, config, 1002, logger, {
      clock,
      polling: { initialDelayMs: 500, maxDelayMs: 2000 },
    });
    const ordinals = subscribedOrdinals(6);
    const batch = ordinals.map(contactIdOf);
    // Their statuses change after the pipeline looked them up.
    emulator.control.updateContact(batch[1]!, { status: 'unsubscribed', emailStatus: 'unsubscribed' });
    emulator.control.updateContact(batch[3]!, { status: 'binned' });

    const submitted = await engine.submit(batch);
    const confirmation = await engine.confirm(submitted, clock.now() + 10 * 60_000);

    expect(confirmation.finished).toBe(true);
    expect([...confirmation.faults].sort((a, b) => a.contactId - b.contactId)).toEqual([
      { contactId: batch[1], reason: 'contact_unsubscribed' },
      { contactId: batch[3], reason: 'contact_not_found' },
    ]);
    const enrolled = emulator.control.enrolmentState(1002).contacts.map((c) => c.contactId);
    expect(enrolled).toEqual([batch[0], batch[2], batch[4], batch[5]]);
    expect(engine.stats().allowanceSpent).toBe(1);
  });
});
