/**
 * A compact index of the account's contacts, built from one walk of the contact listing, so every
 * batch of the sync after the walk is answered without a call. Per contact it keeps the ID (4 B)
 * and a palette code for its statuses (2 B); per indexed email or mobile number a 64-bit
 * fingerprint and the ID (12 B). 1M contacts indexed by email: about 18 MB, whatever the audience.
 *
 * Answers carry contactId and statuses only (what enrolment and rejection wording need); the
 * strings are not kept, which is the point of the index.
 */
import type { IdentifierKind } from '../../config/types.js';
import type { Contact } from '../../dotdigital/types.js';
import { fingerprint } from './fingerprint.js';
import { listedEmailKey, listedMobileKey } from './query-key.js';

/** The largest contact ID the index stores (Uint32); beyond it the index gives up. */
const MAX_ID = 0xffff_ffff;

class GrowableU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

class GrowableU16 {
  data = new Uint16Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint16Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
}

/** Sorted (hi, lo) → id; new entries go to a pending run merged in by seal(). */
class FingerprintTable {
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  private ids = new Uint32Array(0);
  private readonly pendingHi = new GrowableU32();
  private readonly pendingLo = new GrowableU32();
  private readonly pendingIds = new GrowableU32();

  add(key: string, id: number): void {
    const f = fingerprint(key);
    this.pendingHi.push(f.hi);
    this.pendingLo.push(f.lo);
    this.pendingIds.push(id);
  }

  /** Sorts the pending entries and merges them into the sorted run (linear in the total). */
  seal(): void {
    const n = this.pendingHi.length;
    if (n === 0) return;
    const ph = this.pendingHi.view();
    const pl = this.pendingLo.view();
    const pi = this.pendingIds.view();
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => ph[a]! - ph[b]! || pl[a]! - pl[b]!);
    const total = this.hi.length + n;
    const hi = new Uint32Array(total);
    const lo = new Uint32Array(total);
    const ids = new Uint32Array(total);
    let i = 0;
    let j = 0;
    for (let k = 0; k < total; k++) {
      const takeOld =
        j >= n ||
        (i < this.hi.length &&
          (this.hi[i]! < ph[order[j]!]! || (this.hi[i] === ph[order[j]!] && this.lo[i]! <= pl[order[j]!]!)));
      if (takeOld) {
        hi[k] = this.hi[i]!;
        lo[k] = this.lo[i]!;
        ids[k] = this.ids[i]!;
        i++;
      } else {
        const p = order[j]!;
        hi[k] = ph[p]!;
        lo[k] = pl[p]!;
        ids[k] = pi[p]!;
        j++;
      }
    }
    this.hi = hi;
    this.lo = lo;
    this.ids = ids;
    this.pendingHi.length = 0;
    this.pendingLo.length = 0;
    this.pendingIds.length = 0;
  }

  find(key: string): number | undefined {
    const f = fingerprint(key);
    let low = 0;
    let high = this.hi.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const h = this.hi[mid]!;
      const l = this.lo[mid]!;
      if (h < f.hi || (h === f.hi && l < f.lo)) low = mid + 1;
      else if (h > f.hi || l > f.lo) high = mid - 1;
      else return this.ids[mid];
    }
    return undefined;
  }

  bytes(): number {
    return this.hi.byteLength * 3 + this.pendingHi.data.byteLength * 3;
  }
}

export class ContactIndex {
  private readonly ids = new GrowableU32();
  private readonly statusCodes = new GrowableU16();
  private readonly palette: Omit<Contact, 'contactId'>[] = [];
  private readonly paletteCodes = new Map<string, number>();
  private readonly byEmail: FingerprintTable | undefined;
  private readonly byMobile: FingerprintTable | undefined;
  private sortedIds = true;
  /** False once a contact could not be indexed (ID past Uint32, or too many status combinations). */
  usable = true;

  /** The kinds indexed, fixed when the walk starts (a copy: the caller's set may grow). */
  readonly kinds: ReadonlySet<IdentifierKind>;

  constructor(kinds: ReadonlySet<IdentifierKind>) {
    this.kinds = new Set(kinds);
    this.byEmail = kinds.has('email') ? new FingerprintTable() : undefined;
    this.byMobile = kinds.has('mobileNumber') ? new FingerprintTable() : undefined;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Highest contact ID indexed (once sealed): the listing runs in ascending ID, so a lower unindexed ID does not exist. */
  get lastId(): number {
    return this.ids.length === 0 ? 0 : this.ids.data[this.ids.length - 1]!;
  }

  add(contact: Contact): void {
    if (!this.usable) return;
    if (contact.contactId > MAX_ID || contact.contactId < 0) {
      this.usable = false;
      return;
    }
    const code = this.paletteCode(contact);
    if (code === undefined) {
      this.usable = false;
      return;
    }
    if (this.ids.length > 0 && contact.contactId <= this.ids.data[this.ids.length - 1]!)
      this.sortedIds = false;
    this.ids.push(contact.contactId);
    this.statusCodes.push(code);
    if (this.byEmail && contact.email) this.byEmail.add(listedEmailKey(contact.email), contact.contactId);
    if (this.byMobile && contact.mobileNumber)
      this.byMobile.add(listedMobileKey(contact.mobileNumber), contact.contactId);
  }

  /** Makes everything added so far searchable. */
  seal(): void {
    if (!this.sortedIds) this.sortById();
    this.byEmail?.seal();
    this.byMobile?.seal();
  }

  /** The indexed contact the identifier names, or undefined when the index has none. */
  find(kind: IdentifierKind, value: string): Contact | undefined {
    let id: number | undefined;
    if (kind === 'contactId') id = Number(value);
    else if (kind === 'email') id = this.byEmail?.find(value);
    else id = this.byMobile?.find(value);
    if (id === undefined || !Number.isSafeInteger(id)) return undefined;
    const at = this.positionOf(id);
    if (at === undefined) return undefined;
    return { contactId: id, ...this.palette[this.statusCodes.data[at]!]! };
  }

  /** Whether a query of this kind is answered by the index at all. */
  covers(kind: IdentifierKind): boolean {
    return kind === 'contactId' || this.kinds.has(kind);
  }

  bytes(): number {
    return (
      this.ids.data.byteLength +
      this.statusCodes.data.byteLength +
      (this.byEmail?.bytes() ?? 0) +
      (this.byMobile?.bytes() ?? 0)
    );
  }

  /** Dotdigital lists in ascending ID; should a page ever come out of order, search still works. */
  private sortById(): void {
    const n = this.ids.length;
    const ids = this.ids.view().slice();
    const codes = this.statusCodes.data.slice(0, n);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => ids[a]! - ids[b]!);
    for (let k = 0; k < n; k++) {
      this.ids.data[k] = ids[order[k]!]!;
      this.statusCodes.data[k] = codes[order[k]!]!;
    }
    this.sortedIds = true;
  }

  private positionOf(id: number): number | undefined {
    const ids = this.ids.data;
    let low = 0;
    let high = this.ids.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const v = ids[mid]!;
      if (v < id) low = mid + 1;
      else if (v > id) high = mid - 1;
      else return mid;
    }
    return undefined;
  }

  private paletteCode(contact: Contact): number | undefined {
    const key = `${contact.status}\u0000${contact.emailStatus ?? ''}\u0000${contact.smsStatus ?? ''}`;
    let code = this.paletteCodes.get(key);
    if (code === undefined) {
      if (this.palette.length > 0xffff) return undefined;
      code = this.palette.length;
      const entry: Omit<Contact, 'contactId'> = { status: contact.status };
      if (contact.emailStatus) entry.emailStatus = contact.emailStatus;
      if (contact.smsStatus) entry.smsStatus = contact.smsStatus;
      this.palette.push(entry);
      this.paletteCodes.set(key, code);
    }
    return code;
  }
}
