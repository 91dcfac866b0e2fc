/**
 * What every stage is given: the sync's settings, where outcomes go, and how the sync fails. Built once
 * by write-pipeline.ts; a stage takes this and the next stage it hands records to.
 */
import type { Logger } from 'pino';

import type { ConnectorConfig } from '../../config/types.js';
import type { CheckpointLedger } from './checkpoints.js';
import type { OutputWatch } from './output-watch.js';
import type { ProgramRoute } from './program-state.js';
import type { RecordOutcomes } from './record-outcomes.js';
import type { SyncCounters } from './summary.js';
import type { SyncFailure } from './sync-failure.js';
import type { PipelineTuning } from './tuning.js';

export interface StageContext {
  readonly config: ConnectorConfig;
  readonly tuning: PipelineTuning;
  readonly logger: Logger;
  /** Figures that are not outcomes (batches, conflicts, late faults); outcomes are counted by `outcomes`. */
  readonly counters: SyncCounters;
  readonly outcomes: RecordOutcomes;
  readonly ledger: CheckpointLedger;
  readonly failure: SyncFailure;
  /** Every program of the sync, once each. */
  readonly programs: readonly ProgramRoute[];
  /** Asked before an act no state could cover once stdout is gone (an enrolment, a list deletion). */
  readonly output: OutputWatch;
  readonly now: () => number;
}
