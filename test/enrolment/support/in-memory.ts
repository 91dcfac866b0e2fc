/**
 * Small in-memory implementations of the engine seam (src/enrolment/engine-types.ts), so the pipeline's
 * own logic can be tested without a network. The end-to-end tests use the real resolver and engine.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { configFrom } from '../../support/config.js';
import type { Contact } from '../../../src/dotdigital/types.js';
import type {
  ContactResolver,
  EnrolmentConfirmation,
  EnrolmentEngine,
  IdentifierQuery,
  Resolution,
  SubmittedEnrolment,
} from '../../../src/enrolment/engine-types.js';
import { IDLE_ENGINE_STATS } from '../../../src/enrolment/engine-types.js';
import type { AccountFacts } from '../../../src/enrolment/batch-mode.js';
import { TransientError } from '../../../src/protocol/errors.js';
import type { AirbyteMessage } from '../../../src/protocol/messages.js';

export function testConfig(overrides: Partial<ConnectorConfig> = {}): ConnectorConfig {
  return configFrom(
    {
      region: 'r1',
      program_id: 1001,
      identifier_mapping: {
        contact_id_field: 'contact_id',
        email_field: 'email',
        mobile_number_field: 'mobile',
      },
      default_country: 'GB',
      enrolment_mode: 'contacts',
      max_allowance_wait_minutes: 0,
    },
    overrides,
  );
}

export class MemoryResolver implements ContactResolver {
  readonly calls: number[] = [];
  private readonly byKey = new Map<string, Contact>();

  constructor(contacts: Contact[]) {
    for (const contact of contacts) {
      this.byKey.set(`contactId:${contact.contactId}`, contact);
      if (contact.email) this.byKey.set(`email:${contact.email}`, contact);
      if (contact.mobileNumber) this.byKey.set(`mobileNumber:${contact.mobileNumber}`, contact);
    }
  }

  async resolve(queries: readonly IdentifierQuery[]): Promise<Resolution[]> {
    this.calls.push(queries.length);
    await Promise.resolve();
    return queries.map((q) => ({ contact: this.byKey.get(`${q.kind}:${q.value}`) ?? null }));
  }
}

/** A MemoryResolver whose answers wait until open() is called, holding records at the resolve stage. */
export function gatedResolver(known: Contact[]): { resolver: MemoryResolver; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const inner = new MemoryResolver(known);
  const resolver = {
    resolve: async (queries: Parameters<MemoryResolver['resolve']>[0]) => {
      await gate;
      return inner.resolve(queries);
    },
  };
  return { resolver: resolver as MemoryResolver, open };
}

export interface MemoryEngineOptions {
  recent?: number[];
  /** Submissions accepted before the "allowance" runs out (then TransientError). */
  allowance?: number;
  /** Contact → Dotdigital fault reason in the report. */
  faults?: Map<number, string>;
  /** When false, confirm() waits until its deadline and reports not finished. */
  finishes?: boolean;
  /** Rejects submit() with this error. */
  submitError?: Error;
  /** What the engine reports it learnt about the account (nothing, by default). */
  facts?: AccountFacts;
}

export class MemoryEngine implements EnrolmentEngine {
  readonly submitted: number[][] = [];
  /** The checkpoint deadline each submit() and confirm() was given. */
  readonly deadlines: { submit: (number | undefined)[]; confirm: number[] } = { submit: [], confirm: [] };
  readonly enrolled = new Map<number, number>();
  private sequence = 0;

  constructor(private readonly options: MemoryEngineOptions = {}) {}

  async recentlyEnrolled(): Promise<ReadonlySet<number>> {
    return new Set(this.options.recent ?? []);
  }

  async submit(contactIds: number[], deadline?: number): Promise<SubmittedEnrolment> {
    this.deadlines.submit.push(deadline);
    if (this.options.submitError) throw this.options.submitError;
    if (this.options.allowance !== undefined && this.submitted.length >= this.options.allowance) {
      throw new TransientError('The enrolment allowance is spent.');
    }
    this.submitted.push([...contactIds]);
    for (const id of contactIds) this.enrolled.set(id, (this.enrolled.get(id) ?? 0) + 1);
    return {
      sent: true,
      enrolmentId: `e${++this.sequence}`,
      contactIds: [...contactIds],
      mode: contactIds.length > 25 ? 'list' : 'contacts',
    };
  }

  async confirm(enrolment: SubmittedEnrolment, deadline: number): Promise<EnrolmentConfirmation> {
    this.deadlines.confirm.push(deadline);
    if (this.options.finishes === false) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
      return { finished: false, faults: [] };
    }
    const faults = enrolment.contactIds
      .filter((id) => this.options.faults?.has(id))
      .map((contactId) => ({ contactId, reason: this.options.faults!.get(contactId)! }));
    return { finished: true, faults };
  }

  async release(_enrolment: SubmittedEnrolment): Promise<void> {}

  async finish(): Promise<void> {}

  accountFacts(): AccountFacts {
    return { ...this.options.facts };
  }

  stats() {
    return { ...IDLE_ENGINE_STATS, allowanceSpent: this.submitted.length };
  }
}

export class MemoryOut {
  readonly messages: AirbyteMessage[] = [];
  write(message: AirbyteMessage): boolean {
    this.messages.push(structuredClone(message));
    return true;
  }
  async waitForDrain(): Promise<void> {}
  get states() {
    return this.messages.flatMap((m) => (m.type === 'STATE' ? [m.state] : []));
  }
}

export interface CapturedLogger {
  logger: Logger;
  lines: { level: number; msg: string }[];
}

export function captureLogger(): CapturedLogger {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Messages in batches of a few, as the reader hands over a chunk of stdin at a time. */
export async function* messagesOf(
  messages: AirbyteMessage[],
  batchSize = 7,
): AsyncIterable<{ message: AirbyteMessage }[]> {
  for (let i = 0; i < messages.length; i += batchSize) {
    yield messages.slice(i, i + batchSize).map((message) => ({ message }));
  }
}

export const record = (
  data: Record<string, unknown>,
  stream = 'audience',
  namespace?: string,
): AirbyteMessage => ({
  type: 'RECORD',
  record: { stream, ...(namespace === undefined ? {} : { namespace }), data, emitted_at: 1_700_000_000_000 },
});

export const streamState = (
  cursor: number,
  stream = 'audience',
  extra: Record<string, unknown> = {},
): AirbyteMessage => ({
  type: 'STATE',
  state: {
    type: 'STREAM',
    stream: { stream_descriptor: { name: stream }, stream_state: { cursor } },
    ...extra,
  },
});

export function contacts(count: number, start = 1): Contact[] {
  return Array.from({ length: count }, (_, i) => ({
    contactId: start + i,
    status: 'subscribed',
    email: `c${start + i}@example.com`,
  }));
}
