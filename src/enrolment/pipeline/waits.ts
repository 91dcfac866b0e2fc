/**
 * What the progress lines say the sync is waiting on, and the allowance-paced estimate. Kept apart from
 * the stages because it only reads them: a progress line must never change what the sync does.
 */
import type { ConnectorConfig } from '../../config/types.js';
import type { ProgramRoute } from './program-state.js';
import { ENROLMENT_CALLS_PER_HOUR, MAX_CONTACTS_PER_ENROLMENT } from '../../dotdigital/limits.js';

export interface WaitFigures {
  /** resolve() calls running. */
  resolving: number;
  /** Contacts queued for or inside an enrolment call. */
  submitting: number;
  /** Enrolments Dotdigital is still processing. */
  processing: number;
  readerBlocked: boolean;
  window: number;
}

export function describeWaits(figures: WaitFigures): string[] {
  const reasons: string[] = [];
  if (figures.resolving > 0) reasons.push(`Dotdigital contact look-ups (${figures.resolving} batches)`);
  if (figures.submitting > 0) {
    reasons.push(
      `enrolment calls for ${figures.submitting} contacts (allowance window or rate limit when slow)`,
    );
  }
  if (figures.processing > 0) reasons.push(`Dotdigital processing ${figures.processing} enrolments`);
  if (figures.readerBlocked) reasons.push(`the in-flight window (${figures.window} records) to drain`);
  return reasons;
}

/**
 * Once the hourly allowance has made the sync wait, it sets the pace (20 calls of 25 contacts an hour
 * by contacts), a better estimate than the recent rate.
 */
export function allowanceEta(
  config: ConnectorConfig,
  awaitingEnrolment: number,
  programs: readonly ProgramRoute[],
): { etaHintSeconds?: number } {
  if (config.enrolmentMode !== 'contacts' || awaitingEnrolment === 0) return {};
  let waited = 0;
  for (const program of programs) waited += program.engine.stats().allowanceWaitMs;
  if (waited === 0) return {};
  const calls = Math.ceil(awaitingEnrolment / MAX_CONTACTS_PER_ENROLMENT);
  return { etaHintSeconds: (calls / ENROLMENT_CALLS_PER_HOUR) * 3600 };
}
