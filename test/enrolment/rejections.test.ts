import { mkdtempSync, readFileSync } from 'node:fs';
import type { ConnectorConfig } from '../../src/config/types.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRejectionSink,
  describeRejection,
  enrolmentFaultReason,
  unreachableReason,
} from '../../src/enrolment/rejections.js';
import { ConfigError } from '../../src/protocol/errors.js';

describe('rejection reasons', () => {
  it('names unreachable statuses in snake case and lets reachable ones through', () => {
    expect(unreachableReason({ contactId: 1, status: 'subscribed' })).toBeNull();
    expect(unreachableReason({ contactId: 1, status: 'unsubscribed' })).toBe('contact_unsubscribed');
    expect(unreachableReason({ contactId: 1, status: 'hardBounced' })).toBe('contact_hard_bounced');
    expect(unreachableReason({ contactId: 1, status: 'suppressed' })).toBe('contact_suppressed');
    expect(unreachableReason({ contactId: 1, status: 'suppressed', emailStatus: 'hardBounced' })).toBe(
      'contact_hard_bounced',
    );
    expect(unreachableReason({ contactId: 1, status: 'suppressed', emailStatus: 'suppressed' })).toBe(
      'contact_suppressed',
    );
    expect(unreachableReason({ contactId: 1, status: 'pendingOptIn' })).toBe('contact_pending_opt_in');
  });

  it('prefixes Dotdigital fault reasons and keeps the engine’s own vocabulary', () => {
    expect(enrolmentFaultReason('AlreadyInProgram')).toBe('enrolment_fault:AlreadyInProgram');
    expect(enrolmentFaultReason('contact_not_found')).toBe('contact_not_found');
    expect(enrolmentFaultReason('  ')).toBe('enrolment_fault:Unknown');
  });

  it('describes every reason without echoing a value', () => {
    for (const reason of [
      'invalid_record',
      'stream_not_in_catalog',
      'missing_identifier',
      'invalid_email',
      'invalid_mobile_number',
      'invalid_contact_id',
      'contact_not_found',
      'duplicate_in_sync',
      'contact_unsubscribed',
      'enrolment_fault:AlreadyInProgram',
    ]) {
      const text = describeRejection(reason, 'field mail');
      expect(text).toMatch(/\(field mail\)\.$/);
      expect(text.length).toBeGreaterThan(20);
    }
  });
});

describe('rejected-records sink', () => {
  it('appends JSON Lines that are on disk after flushNow()', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rejections-')), 'rejected.jsonl');
    const sink = createRejectionSink(fileConfig(file));
    sink.add({
      record: { mail: 'x' },
      stream: { name: 's' },
      reason: 'invalid_email',
      message: 'm',
      emittedAt: 5,
    });
    expect(sink.flushNow()).toBe(true);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      record: { mail: 'x' },
      stream: { name: 's' },
      reason: 'invalid_email',
      message: 'm',
      emitted_at: 5,
    });
    sink.add({
      record: {},
      stream: { name: 's', namespace: 'n' },
      reason: 'missing_identifier',
      message: 'm',
      emittedAt: 6,
    });
    await sink.close();
    // A second sync appends rather than truncating.
    const again = createRejectionSink(fileConfig(file));
    again.add({ record: {}, stream: { name: 's' }, reason: 'duplicate_in_sync', message: 'm', emittedAt: 7 });
    await again.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('fails with a config error naming the path when the file cannot be opened', () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'rejections-')), 'missing-dir', 'x.jsonl');
    expect(() => createRejectionSink(fileConfig(bad))).toThrow(ConfigError);
    expect(() => createRejectionSink(fileConfig(bad))).toThrow(/rejected_records\.path/);
  });
});

function fileConfig(file: string): Pick<ConnectorConfig, 'rejectedRecords' | 'objectStorage'> {
  return { rejectedRecords: { type: 'file', path: file }, objectStorage: { type: 'none' } };
}
