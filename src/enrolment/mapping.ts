/**
 * Record → the one identifier that decides which contact the record means.
 *
 * The configured mapping names a field per identifier kind and the precedence between them. Streams
 * configured from `discover` (they carry destination_object_name) use the data-activation field names
 * contact_id / email / mobile_number wherever the configured field is absent from the record, and the
 * matching key picked for such a stream (its primary_key) decides ahead of the precedence.
 */
import type { IdentifierKind, IdentifierMapping } from '../config/types.js';
import type { Contact } from '../dotdigital/types.js';
import { normaliseContactId, normaliseEmail, normaliseMobileNumber } from './identifiers.js';
import { INVALID_REASON, Reason, type RejectionReason } from './rejections.js';

export const DISCOVER_FIELD_NAMES: Record<IdentifierKind, string> = {
  contactId: 'contact_id',
  email: 'email',
  mobileNumber: 'mobile_number',
};

const DEFAULT_ORDER: IdentifierKind[] = ['contactId', 'email', 'mobileNumber'];

/** Filled in place by {@link IdentifierMapper.map} so the hot path allocates nothing per record. */
export interface MappedIdentifier {
  kind: IdentifierKind;
  /** Normalised: lower-case email, E.164 digits without '+', or the contact ID in decimal. */
  value: string;
}

export interface MappingFailure {
  reason: RejectionReason;
  /** Which field was at fault, for the rejection message (never the value). */
  field?: string;
}

interface Candidate {
  kind: IdentifierKind;
  fields: string[];
}

function isBlank(raw: unknown): boolean {
  if (raw === undefined || raw === null) return true;
  if (typeof raw !== 'string') return false;
  // Only a string starting with whitespace can be blank; avoids a trim() copy for every value.
  return raw.length === 0 || (raw.charCodeAt(0) <= 0x20 && raw.trim().length === 0);
}

export class IdentifierMapper {
  private readonly candidates: Candidate[];
  private readonly fallThrough: boolean;

  /**
   * `decidingIdentifier`: the matching key picked for a data-activation stream, tried before the
   * configured precedence (which still orders the others, for records without that key).
   */
  constructor(
    mapping: IdentifierMapping,
    private readonly defaultCountry: string | undefined,
    dataActivation: boolean,
    decidingIdentifier?: IdentifierKind,
  ) {
    const configured = dataActivation
      ? [...mapping.precedence, ...DEFAULT_ORDER.filter((kind) => !mapping.precedence.includes(kind))]
      : mapping.precedence;
    const order =
      decidingIdentifier === undefined
        ? configured
        : [decidingIdentifier, ...configured.filter((kind) => kind !== decidingIdentifier)];
    this.fallThrough = mapping.fallThroughOnInvalid;
    this.candidates = order.map((kind) => {
      const configured = mapping.fields[kind];
      const fields: string[] = [];
      if (configured !== undefined) fields.push(configured);
      if (dataActivation && configured !== DISCOVER_FIELD_NAMES[kind])
        fields.push(DISCOVER_FIELD_NAMES[kind]);
      return { kind, fields };
    });
  }

  /**
   * Fills `out` with the deciding identifier and returns null, or returns why there is none: the first
   * present identifier in precedence order decides; an invalid one rejects the record unless the mapping
   * falls through, in which case the first invalid reason is kept for when no later one is valid.
   */
  map(data: Record<string, unknown>, out: MappedIdentifier): MappingFailure | null {
    let firstInvalid: MappingFailure | null = null;
    for (const candidate of this.candidates) {
      const field = this.presentField(data, candidate.fields);
      if (field === undefined) continue;
      const value = this.normalise(candidate.kind, data[field]);
      if (value !== null) {
        out.kind = candidate.kind;
        out.value = value;
        return null;
      }
      const failure = { reason: INVALID_REASON[candidate.kind], field };
      if (!this.fallThrough) return failure;
      firstInvalid ??= failure;
    }
    return firstInvalid ?? { reason: Reason.missingIdentifier, field: this.fieldList() };
  }

  /**
   * True when another valid identifier in the record is not the resolved contact's: identifiers are
   * unique in an account, so it belongs to a different contact (or to none). Only called for records
   * that resolved, and only compares what the contact carries.
   */
  conflictsWith(data: Record<string, unknown>, decided: IdentifierKind, contact: Contact): boolean {
    for (const candidate of this.candidates) {
      if (candidate.kind === decided) continue;
      const field = this.presentField(data, candidate.fields);
      if (field === undefined) continue;
      const raw = data[field];
      switch (candidate.kind) {
        case 'contactId': {
          const id = normaliseContactId(raw);
          if (id !== null && id !== contact.contactId) return true;
          break;
        }
        case 'email': {
          if (contact.email === undefined) break;
          const email = normaliseEmail(raw);
          if (email !== null && email !== contact.email.toLowerCase()) return true;
          break;
        }
        case 'mobileNumber': {
          if (contact.mobileNumber === undefined) break;
          const known = contact.mobileNumber.replace(/^\+/, '');
          // Fast path: the same digits need no trip through the phone-number parser.
          if (typeof raw === 'string' && raw.replace(/[^0-9]/g, '') === known) break;
          const mobile = normaliseMobileNumber(raw, this.defaultCountry);
          if (mobile !== null && mobile !== known) return true;
          break;
        }
      }
    }
    return false;
  }

  private presentField(data: Record<string, unknown>, fields: string[]): string | undefined {
    for (const field of fields) {
      if (!isBlank(data[field])) return field;
    }
    return undefined;
  }

  private normalise(kind: IdentifierKind, raw: unknown): string | null {
    switch (kind) {
      case 'email':
        return normaliseEmail(raw);
      case 'mobileNumber':
        return normaliseMobileNumber(raw, this.defaultCountry);
      case 'contactId': {
        const id = normaliseContactId(raw);
        return id === null ? null : String(id);
      }
    }
  }

  private fieldList(): string {
    return `looked for ${[...new Set(this.candidates.flatMap((c) => c.fields))].join(', ')}`;
  }
}
