import type { ConnectorConfig } from '../config/types.js';
import { ENROLMENT_CALLS_PER_HOUR, MAX_CONTACTS_PER_ENROLMENT } from '../dotdigital/limits.js';

/**
 * The list-or-contacts rule, stated once: a batch goes through a staging list in `list` mode, or in
 * `auto` mode from `list_mode_threshold` contacts, or in `auto` mode whatever its size once Dotdigital's
 * enrolment answers are seen to leave the contacts out; every other batch is enrolled by contact IDs, at
 * most 25 a call. A contacts call whose answer names nobody cannot be recognised by a re-run (after a
 * crash, or records sent again after a lost state), a staging list can (it is kept, marked enrolled, for
 * the look-back), and both spend one allowance unit. The pipeline cuts smaller batches into calls of
 * 25, so a batch that reaches the engine with more than 25 contacts can only go through a list.
 */
type SendMode = 'contacts' | 'list';
type ModeConfig = Pick<ConnectorConfig, 'enrolmentMode' | 'listModeThreshold'>;

/** What the sync has learnt about the account that the rule depends on. */
export interface AccountFacts {
  /**
   * Whether Dotdigital's enrolment answers name the contacts or lists an enrolment holds: known from the
   * program's enrolment listing at start-up or from an accepted answer, undefined until one says.
   */
  answersNameMembers?: boolean;
}

/** Whether the contacts collected for a program go as one staging-list batch (else calls of 25). */
export function goesThroughList(config: ModeConfig, contacts: number, facts: AccountFacts = {}): boolean {
  return (
    config.enrolmentMode === 'list' ||
    (config.enrolmentMode === 'auto' &&
      (contacts >= config.listModeThreshold || facts.answersNameMembers === false))
  );
}

/** How the engine sends one batch. */
export function batchMode(config: ModeConfig, contacts: number, facts: AccountFacts = {}): SendMode {
  if (config.enrolmentMode !== 'auto') return config.enrolmentMode;
  return goesThroughList(config, contacts, facts) || contacts > MAX_CONTACTS_PER_ENROLMENT
    ? 'list'
    : 'contacts';
}

/**
 * Contacts Dotdigital would not import into a staging list (contacts-fallback.ts) are enrolled by contact
 * IDs instead only in `auto` mode (`list` promises staging lists only, which is what keeps a contact from
 * entering twice) and only as many as one hour's allowance can take, so the fallback fits one attempt
 * instead of spreading over retries.
 */
export const FALLBACK_MAX_CONTACTS = ENROLMENT_CALLS_PER_HOUR * MAX_CONTACTS_PER_ENROLMENT;

export function fallsBackToContacts(config: ModeConfig, contacts: number): boolean {
  return config.enrolmentMode === 'auto' && contacts <= FALLBACK_MAX_CONTACTS;
}

/** The rule in words, for the summary. */
export function describeBatchRule(config: ModeConfig): string {
  if (config.enrolmentMode === 'contacts')
    return 'enrolment_mode is contacts: up to 25 contact IDs per enrolment call';
  if (config.enrolmentMode === 'list')
    return 'enrolment_mode is list: every batch goes through a staging list';
  return (
    `enrolment_mode is auto: batches of ${config.listModeThreshold} or more contacts go through a staging list, ` +
    "smaller ones are enrolled by contact IDs unless Dotdigital's answers leave the contacts out (then a list, " +
    'which a re-run can recognise)'
  );
}

/** Why one batch of `contacts` went the way it did, for the summary's per-batch line. */
export function batchModeReason(
  config: ModeConfig,
  mode: SendMode,
  contacts: number,
  facts: AccountFacts = {},
): string {
  if (mode === 'list') {
    if (config.enrolmentMode === 'list') return 'enrolment_mode is list';
    return contacts < config.listModeThreshold && facts.answersNameMembers === false
      ? "Dotdigital's enrolment answers do not name contacts, so a staging list (which a re-run can recognise) carries small batches too"
      : `batches of ${config.listModeThreshold} or more contacts go through a staging list`;
  }
  return config.enrolmentMode === 'contacts'
    ? 'enrolment_mode is contacts'
    : `batches under ${config.listModeThreshold} contacts are enrolled by contact IDs`;
}
