/**
 * Synthetic audiences for the benchmarks: one RECORD line per member and a STREAM state every
 * `stateEvery` records, generated on demand so a five-million-record input never sits in memory or on disk.
 * Identifiers follow the emulator's generated account (emulator/src/generate.ts), so ordinal n is
 * contact 100000 + n with email user<n>@example.com and mobile 44795<n padded to 7 digits>.
 */
import { Readable } from 'node:stream';

export type AudienceKind = 'contactId' | 'email' | 'mobile';
export const AUDIENCE_KINDS: AudienceKind[] = ['contactId', 'email', 'mobile'];

export const FIRST_CONTACT_ID = 100_001;
export const STREAM = 'audience';

/** Member n's contact ID in the emulator's generated account. */
export const emulatorContactId = (n: number): number => FIRST_CONTACT_ID + n - 1;

/**
 * The record's data for member n (1-based). Emails are mixed-case so normalisation does real work.
 * `contactIdOf` numbers contact-ID audiences some other way than the emulator's account does.
 */
export function memberData(
  kind: AudienceKind,
  n: number,
  contactIdOf: (n: number) => number = emulatorContactId,
): Record<string, unknown> {
  switch (kind) {
    case 'contactId':
      return { contact_id: contactIdOf(n), first_name: 'Ada', plan: 'pro' };
    case 'email':
      return { email: `User${n}@Example.com`, first_name: 'Ada', plan: 'pro' };
    case 'mobile':
      return { mobile: `+44795${String(n).padStart(7, '0')}`, first_name: 'Ada', plan: 'pro' };
  }
}

export function recordLine(kind: AudienceKind, n: number, contactIdOf?: (n: number) => number): string {
  return JSON.stringify({
    type: 'RECORD',
    record: { stream: STREAM, data: memberData(kind, n, contactIdOf), emitted_at: 1_700_000_000_000 + n },
  });
}

export function stateLine(cursor: number): string {
  return JSON.stringify({
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: { name: STREAM }, stream_state: { cursor } },
      id: cursor,
    },
  });
}

/** Lines of an audience, in order: members 1..count with a state after every `stateEvery` of them. */
export function* audienceLines(
  kind: AudienceKind,
  count: number,
  stateEvery: number,
  contactIdOf?: (n: number) => number,
): Generator<string> {
  for (let n = 1; n <= count; n++) {
    yield recordLine(kind, n, contactIdOf);
    if (n % stateEvery === 0 || n === count) yield stateLine(n);
  }
}

/** The whole audience as one buffer (throughput: both contenders read the same bytes). */
export function audienceBuffer(kind: AudienceKind, count: number, stateEvery: number): Buffer {
  const parts: string[] = [];
  for (const line of audienceLines(kind, count, stateEvery)) parts.push(line);
  return Buffer.from(parts.join('\n') + '\n');
}

/** A buffer as the 64 KiB chunks a pipe delivers. */
export function chunked(buffer: Buffer, size = 65_536): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
    })(),
    { objectMode: false },
  );
}

/** The audience as a stream generated as it is read, in chunks of roughly 64 KiB. */
export function audienceStream(
  kind: AudienceKind,
  count: number,
  stateEvery: number,
  contactIdOf?: (n: number) => number,
): Readable {
  const lines = audienceLines(kind, count, stateEvery, contactIdOf);
  return new Readable({
    read() {
      let chunk = '';
      for (;;) {
        const next = lines.next();
        if (next.done) {
          if (chunk.length > 0) this.push(chunk);
          this.push(null);
          return;
        }
        chunk += next.value + '\n';
        if (chunk.length >= 65_536) break;
      }
      this.push(chunk);
    },
  });
}
