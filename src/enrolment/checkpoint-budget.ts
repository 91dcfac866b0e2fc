/**
 * The checkpoint budget, defined once: how long the waits of one batch (its import, the enrolment
 * allowance, Dotdigital processing the enrolment) may hold a state back, together. Every wait's cap is
 * derived from it, and one deadline follows a batch along its path, so their sum cannot exceed it.
 *
 * Where the 15 minutes come from: airbytehq/airbyte, docs/connector-development/
 * partner-certified-destinations.md: "State messages should be emitted with no gap longer than 15 minutes.
 * Checkpointing requires commit and return state every 15 minutes." Airbyte's bulk load CDK applies the same
 * figure (airbyte-cdk/bulk/core/load/…/command/DestinationConfiguration.kt:
 * `DEFAULT_MAX_TIME_WITHOUT_FLUSHING_DATA_SECONDS = 15 * 60L`). airbytehq/airbyte-platform enforces no
 * such limit: its only destination timeout is `DestinationTimeoutSeconds` (7,200 s,
 * airbyte-featureflag/src/main/kotlin/FlagDefinitions.kt), the limit reader-stall.ts stays under.
 */
import { TransientError } from '../protocol/errors.js';
import { formatDuration } from '../time/duration.js';

/** Airbyte's longest gap between echoed states. */
export const CHECKPOINT_INTERVAL_MS = 15 * 60_000;

/**
 * What one state's waits may take together: a minute less, for the calls between the waits (creating
 * and renaming the staging list, the enrolment call, reading the fault report) and the echo itself.
 */
export const STATE_WAIT_BUDGET_MS = CHECKPOINT_INTERVAL_MS - 60_000;

/** The largest value spec.json allows for max_allowance_wait_minutes and max_state_hold_minutes. */
export const MAX_WAIT_SETTING_MINUTES = STATE_WAIT_BUDGET_MS / 60_000;

/** The deadline of every wait of a batch whose oldest waiting state was read at `waitingSince`. */
export function budgetDeadline(waitingSince: number): number {
  return waitingSince + STATE_WAIT_BUDGET_MS;
}

/**
 * The sync stops because a wait would hold a state past the budget. Only states whose records are done
 * have been echoed; what was in flight was not enrolled (or is known to a re-run), so the next attempt
 * continues from the last echoed state and enrols nobody twice.
 */
export function checkpointBudgetSpent(waitedFor: string, waitedMs: number, detail: string): TransientError {
  return new TransientError(
    `Waited ${formatDuration(waitedMs)} for ${waitedFor}; waiting longer would hold a checkpoint past the ` +
      `${formatDuration(CHECKPOINT_INTERVAL_MS)} Airbyte expects between states, so the sync stops here. Every state ` +
      'whose records are done has been echoed; the next attempt continues from the last one and enrols nobody twice.',
    detail,
  );
}
