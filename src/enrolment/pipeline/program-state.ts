/**
 * Where a record goes once read: its stream's mapper and its program. Built once per sync so the hot path
 * finds both with one map look-up, and streams sharing a program share its de-duplication, batch and
 * submission queue (kept by the stages, per program).
 */
import type { ConnectorConfig, IdentifierKind } from '../../config/types.js';
import type { AirbyteRecordMessage } from '../../protocol/messages.js';
import { streamKey, type Tally } from './checkpoints.js';
import type { EnrolmentEngine, IdentifierQuery } from '../engine-types.js';
import { IdentifierMapper } from '../mapping.js';
import type { StreamPlan } from './stream-plan.js';

/** A record between being read and having its outcome. It doubles as its own resolver query. */
export interface InFlight extends IdentifierQuery {
  kind: IdentifierKind;
  value: string;
  tally: Tally;
  record: AirbyteRecordMessage;
  route: StreamRoute;
  contactId: number;
  /** Characters of its input line, held against the window's byte budget until it settles. */
  size: number;
}

export interface StreamRoute {
  mapper: IdentifierMapper;
  program: ProgramRoute;
}

/**
 * A program the sync enrols into, shared by the streams that name it. Fixed for the sync: what each
 * stage keeps per program (duplicate set, batch, submission queue) is that stage's own.
 */
export interface ProgramRoute {
  readonly programId: number;
  readonly engine: EnrolmentEngine;
}

export interface Routes {
  /** By streamKey(name, namespace). */
  streams: Map<string, StreamRoute>;
  programs: Map<number, ProgramRoute>;
}

export function buildRoutes(
  plans: readonly StreamPlan[],
  engines: ReadonlyMap<number, EnrolmentEngine>,
  config: ConnectorConfig,
): Routes {
  const streams = new Map<string, StreamRoute>();
  const programs = new Map<number, ProgramRoute>();
  for (const plan of plans) {
    let program = programs.get(plan.programId);
    if (program === undefined) {
      const engine = engines.get(plan.programId);
      if (engine === undefined) throw new Error(`no enrolment engine for program ${plan.programId}`);
      program = { programId: plan.programId, engine };
      programs.set(plan.programId, program);
    }
    const mapper = new IdentifierMapper(
      config.mapping,
      config.defaultCountry,
      plan.dataActivation,
      plan.decidingIdentifier,
    );
    streams.set(streamKey(plan.name, plan.namespace), { mapper, program });
  }
  return { streams, programs };
}
