/**
 * Normalisation of the three identifiers Dotdigital accepts, into the exact form its contact look-ups
 * take. Each function returns null for a value that cannot be a valid identifier, so the caller picks the
 * rejection reason; nothing here throws or allocates per character on the hot path.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** RFC 5321 caps a forward path at 254 characters; longer strings are rejected before any scanning. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
/** Longest input worth giving to the phone parser: E.164 has at most 15 digits, allow room for formatting. */
const MAX_PHONE_INPUT_LENGTH = 64;
const MAX_CONTACT_ID = 2_147_483_647;

/** Characters that cannot appear unquoted in an address; quoted local parts are not worth supporting here. */
function isForbiddenEmailChar(code: number): boolean {
  return (
    code <= 0x20 || // controls and space
    code === 0x7f ||
    code === 0x22 || // "
    code === 0x28 || // (
    code === 0x29 || // )
    code === 0x2c || // ,
    code === 0x3a || // :
    code === 0x3b || // ;
    code === 0x3c || // <
    code === 0x3e || // >
    code === 0x5b || // [
    code === 0x5c || // \
    code === 0x5d // ]
  );
}

/**
 * Trimmed, lower-cased address when it is plausible: one `@`, a non-empty local part of at most 64
 * characters, and a domain of at least two non-empty dot-separated labels. A single linear scan, so a
 * hostile megabyte string costs nothing beyond the length check.
 */
export function normaliseEmail(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  // Check the untrimmed length first so a huge padded string is never copied by trim().
  if (raw.length > MAX_EMAIL_LENGTH + 64) return null;
  const value = raw.trim();
  const length = value.length;
  if (length < 3 || length > MAX_EMAIL_LENGTH) return null;
  let at = -1;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x40) {
      if (at !== -1) return null;
      at = i;
    } else if (isForbiddenEmailChar(code)) {
      return null;
    }
  }
  if (at < 1 || at > MAX_LOCAL_PART_LENGTH || at === length - 1) return null;
  if (value.charCodeAt(0) === 0x2e || value.charCodeAt(at - 1) === 0x2e) return null;
  // Domain: labels separated by single dots, no leading/trailing dot, at least one dot.
  let dots = 0;
  let previousWasDot = true;
  for (let i = at + 1; i < length; i++) {
    const isDot = value.charCodeAt(i) === 0x2e;
    if (isDot) {
      if (previousWasDot) return null;
      dots++;
    }
    previousWasDot = isDot;
  }
  if (dots === 0 || previousWasDot) return null;
  return value.toLowerCase();
}

/**
 * International number in Dotdigital's stored form (E.164 digits without the `+`), or null when
 * libphonenumber-js does not consider it a valid number. Numbers without an international prefix are
 * read in `defaultCountry`; without one they cannot be valid.
 */
export function normaliseMobileNumber(raw: unknown, defaultCountry?: string): string | null {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) text = `+${raw}`;
  else return null;
  if (text.length > MAX_PHONE_INPUT_LENGTH) return null;
  const parsed = parsePhoneNumberFromString(text, defaultCountry as CountryCode | undefined);
  if (parsed === undefined || !parsed.isValid()) return null;
  return parsed.number.slice(1);
}

/** A positive 32-bit contact ID given as a JSON number or a string of decimal digits. */
export function normaliseContactId(raw: unknown): number | null {
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw >= 1 && raw <= MAX_CONTACT_ID ? raw : null;
  }
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  // Ten digits is the longest decimal that can fit; checking first keeps huge strings cheap.
  if (value.length === 0 || value.length > 10) return null;
  let result = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return null;
    result = result * 10 + digit;
  }
  return result >= 1 && result <= MAX_CONTACT_ID ? result : null;
}
