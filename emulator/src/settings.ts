/**
 * Every behaviour where Dotdigital's documentation is silent or uncertain is a setting here, with the
 * default the emulator assumes. emulator/README.md lists them; keep the two in step.
 */
export type RateLimitTier = 'Low' | 'Medium' | 'High' | 'Unlimited';
export type RateLimitMode = 'tiered' | 'legacy' | 'off';
export const ENROLMENT_ANSWER_MEMBERS = ['null', 'empty', 'listed'] as const;
export type EnrolmentAnswerMembers = (typeof ENROLMENT_ANSWER_MEMBERS)[number];
export type TierLimits = Record<Exclude<RateLimitTier, 'Unlimited'>, number>;
export type RateLimitPackage = 'Basic' | 'Standard' | 'Enhanced';

/**
 * Calls per minute per tier and package. Basic Low (35) is from Dotdigital's support article "API rate
 * limits" (support.dotdigital.com/en/articles/8592585-api-rate-limits); the stored copy of that article
 * stops after the Low row, so the other numbers are the emulator's assumptions, Basic the lowest (see
 * emulator/README.md). Basic is the default: the least convenient package the sources allow.
 */
export const RATE_LIMIT_PACKAGES: Record<RateLimitPackage, TierLimits> = {
  Basic: { Low: 35, Medium: 150, High: 500 },
  Standard: { Low: 120, Medium: 600, High: 3000 },
  Enhanced: { Low: 240, Medium: 1200, High: 6000 },
};

/** The end states of a v3 import in the Contacts API's schema (`GET /contacts/v3/import/{id}`). */
export const IMPORT_END_STATES = [
  'Finished',
  'Failed',
  'RejectedByWatchdog',
  'ExceedsAllowedContactLimit',
] as const;
export type ImportEndState = (typeof IMPORT_END_STATES)[number];

export interface FaultSettings {
  /** Share (0..1) of API calls answered with a 5xx before they are processed. */
  errorRate: number;
  /** Status used for injected server errors. */
  errorStatus: number;
  /** Share of API calls answered 429 (as if the tier limit were hit) before they are processed. */
  rateLimitRate: number;
  /** Share of API calls whose connection is reset before any processing (the request is lost). */
  dropRate: number;
  /** Share of API calls that are processed but whose connection is reset mid-response. */
  dropMidResponseRate: number;
  /** Added to every API call, in real milliseconds. */
  latencyMs: number;
  /** Share of API calls that get `latencySpikeMs` more. */
  latencySpikeRate: number;
  latencySpikeMs: number;
  /**
   * Real milliseconds added per KiB of request and response body: the transfer a large page or import
   * costs on a real link, on top of `latencyMs` (a function of the sizes, so replays are unchanged).
   */
  latencyPerKbMs: number;
  /** Enrolments and imports stay Processing/NotFinished until this is switched off again. */
  processingNeverFinishes: boolean;
  /** Contact look-up values (as sent, case-insensitive) answered 400 contacts:invalidId. */
  invalidLookupValues: string[];
  /** Restricts the random faults to these endpoints (e.g. "POST /v2/programs/enrolments"); empty = all. */
  endpoints: string[];
  /** Seed of the generator that decides which calls get a fault. */
  seed: number;
  /**
   * Faults for the next matching calls, consumed in order, before the random ones are considered.
   * kind: 'status' answers `status`; 'drop' resets before processing; 'dropMidResponse' after.
   */
  queue: QueuedFault[];
}

export interface QueuedFault {
  kind: 'status' | 'drop' | 'dropMidResponse';
  status?: number;
  /**
   * With kind 'status': the error code of the answer (v2 `{"message":"Error: CODE"}`, v3 `errorCode`), e.g.
   * ERROR_ADDRESSBOOK_IN_USE on `DELETE /v2/address-books/{id}`. Without it a generic server error.
   */
  code?: string;
  endpoint?: string;
}

export interface EmulatorSettings {
  /** Emulated milliseconds an enrolment stays Processing. */
  enrolmentProcessingMs: number;
  /** Emulated milliseconds a v3 import stays NotFinished. */
  importProcessingMs: number;
  maxContactsPerEnrolment: number;
  maxAddressBooksPerEnrolment: number;
  /** Whether one enrolment call may name both contacts and address books. */
  allowContactsAndAddressBooks: boolean;
  /** Accepted enrolment calls per account per rolling hour, across programs. */
  enrolmentAllowancePerHour: number;
  /** Emulated window of the enrolment allowance. */
  enrolmentAllowanceWindowMs: number;
  /** Send Retry-After (seconds until a slot frees up) with ERROR_ENROLMENT_ALLOWANCE_EXCEEDED. */
  allowanceRetryAfter: boolean;
  /** When true a suppressed/unsubscribed contact fails the whole call (400 ERROR_CONTACT_SUPPRESSED) instead of appearing in the fault report. */
  unreachableContactsFailCall: boolean;
  /**
   * What enrolment answers (the POST's 201, GET by id, the status listings) say in `contacts` and
   * `addressBooks`: `null` as the published 201 example shows, `empty` arrays (the SDK's types allow
   * them), or the `listed` ids of the request.
   */
  enrolmentAnswerMembers: EnrolmentAnswerMembers;
  /** Contact statuses that fail the whole enrolment call with 400 ERROR_CONTACT_SUPPRESSED. */
  statusesFailingEnrolmentCall: string[];
  /** Reason words of the fault report, by the emulator's own name of the reason. */
  faultReasonWords: Record<string, string>;
  /** How an import ends: Finished, or one of the failed end states (nothing is applied). */
  importEndState: ImportEndState;
  /** Account-suppressed contacts are counted in `globallySuppressed` and not updated or added to lists. */
  importSkipsSuppressed: boolean;
  /**
   * Look-ups answer 400 contacts:invalidId for identifiers the real service may reject: non-ASCII or IDN
   * addresses, consecutive dots, and numbers that are not mobile numbers.
   */
  strictIdentifierValidation: boolean;
  /** `documented`: dates as in the published examples (`2020-01-01 09:40:18.527000+00:00`); `iso`: ISO 8601. */
  dateFormat: 'documented' | 'iso';
  /** ApiEndpoint written into account-info; empty = this emulator's own region URL. */
  accountInfoApiEndpoint: string;
  maxActiveImports: number;
  maxImportBodyBytes: number;
  maxAddressBooks: number;
  rateLimitMode: RateLimitMode;
  /** Calls per emulated minute per account and tier (default the Basic package). */
  rateLimits: TierLimits;
  /** 'seconds' = X-RateLimit-Reset is seconds until the window resets; 'epoch' = Unix time of the reset. */
  rateLimitResetFormat: 'seconds' | 'epoch';
  sendRetryAfter: boolean;
  /** Flat limit per account per emulated hour in legacy mode (400 ERROR_APIUSAGE_EXCEEDED past it). */
  legacyLimitPerHour: number;
  /** Default page size of GET /contacts/v3 when `limit` is absent. */
  defaultContactsPageLimit: number;
  requestLogSize: number;
  faults: FaultSettings;
}

export function defaultFaults(): FaultSettings {
  return {
    errorRate: 0,
    errorStatus: 503,
    rateLimitRate: 0,
    dropRate: 0,
    dropMidResponseRate: 0,
    latencyMs: 0,
    latencySpikeRate: 0,
    latencySpikeMs: 2000,
    latencyPerKbMs: 0,
    processingNeverFinishes: false,
    invalidLookupValues: [],
    endpoints: [],
    seed: 1,
    queue: [],
  };
}

export function defaultSettings(): EmulatorSettings {
  return {
    // Minutes, not seconds: Dotdigital processes both asynchronously and says nothing faster (README).
    enrolmentProcessingMs: 5 * 60_000,
    importProcessingMs: 5 * 60_000,
    maxContactsPerEnrolment: 25,
    maxAddressBooksPerEnrolment: 10,
    allowContactsAndAddressBooks: false,
    enrolmentAllowancePerHour: 20,
    enrolmentAllowanceWindowMs: 3_600_000,
    allowanceRetryAfter: false,
    unreachableContactsFailCall: false,
    enrolmentAnswerMembers: 'null',
    statusesFailingEnrolmentCall: [],
    faultReasonWords: { Unsubscribed: 'Unsubcribed' },
    importEndState: 'Finished',
    importSkipsSuppressed: true,
    strictIdentifierValidation: true,
    dateFormat: 'documented',
    accountInfoApiEndpoint: '',
    maxActiveImports: 25,
    maxImportBodyBytes: 50 * 1024 * 1024,
    maxAddressBooks: 10_000,
    rateLimitMode: 'tiered',
    rateLimits: { ...RATE_LIMIT_PACKAGES.Basic },
    rateLimitResetFormat: 'seconds',
    sendRetryAfter: true,
    legacyLimitPerHour: 2000,
    defaultContactsPageLimit: 20,
    requestLogSize: 1000,
    faults: defaultFaults(),
  };
}

export type SettingsPatch = Partial<Omit<EmulatorSettings, 'faults' | 'rateLimits'>> & {
  /** Sets `rateLimits` to a package's preset (before any `rateLimits` in the same patch). */
  rateLimitPackage?: RateLimitPackage;
  faults?: Partial<FaultSettings>;
  rateLimits?: Partial<EmulatorSettings['rateLimits']>;
};

export function applySettingsPatch(settings: EmulatorSettings, patch: SettingsPatch): void {
  const { faults, rateLimits, rateLimitPackage, ...rest } = patch;
  if (rateLimitPackage !== undefined) {
    const preset = RATE_LIMIT_PACKAGES[rateLimitPackage];
    if (!preset)
      throw new RangeError(`rateLimitPackage must be one of ${Object.keys(RATE_LIMIT_PACKAGES).join(', ')}`);
    Object.assign(settings.rateLimits, preset);
  }
  for (const [key, value] of Object.entries(rest)) {
    if (!(key in settings)) throw new RangeError(`unknown setting: ${key}`);
    const current = (settings as unknown as Record<string, unknown>)[key];
    if (Array.isArray(current) !== Array.isArray(value) || typeof current !== typeof value)
      throw new RangeError(
        `setting ${key} must be ${Array.isArray(current) ? 'an array' : `a ${typeof current}`}`,
      );
    if (key === 'importEndState' && !IMPORT_END_STATES.includes(value as ImportEndState))
      throw new RangeError(`importEndState must be one of ${IMPORT_END_STATES.join(', ')}`);
    if (
      key === 'enrolmentAnswerMembers' &&
      !ENROLMENT_ANSWER_MEMBERS.includes(value as EnrolmentAnswerMembers)
    )
      throw new RangeError(`setting ${key} must be one of ${ENROLMENT_ANSWER_MEMBERS.join(', ')}`);
    (settings as unknown as Record<string, unknown>)[key] = value;
  }
  if (rateLimits) Object.assign(settings.rateLimits, rateLimits);
  if (faults) applyFaultsPatch(settings.faults, faults);
}

export function applyFaultsPatch(faults: FaultSettings, patch: Partial<FaultSettings>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in faults)) throw new RangeError(`unknown fault setting: ${key}`);
    const current = (faults as unknown as Record<string, unknown>)[key];
    if (Array.isArray(current) ? !Array.isArray(value) : typeof current !== typeof value) {
      throw new RangeError(`fault setting ${key} has the wrong type`);
    }
    (faults as unknown as Record<string, unknown>)[key] = value;
  }
}
