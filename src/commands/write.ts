/**
 * `write`: enrols the records on stdin into the configured program(s) and echoes each state once it is
 * true. This module only wires the parts together; the work is in src/enrolment/pipeline/write-pipeline.ts.
 */
import { createDotdigitalClient } from '../dotdigital/client.js';
import type { DotdigitalClient } from '../dotdigital/types.js';
import { ConfigError, SystemError } from '../protocol/errors.js';
import { readMessageBatches } from '../protocol/reader.js';
import type { EnrolmentEngine } from '../enrolment/engine-types.js';
import { createEnrolmentEngine } from '../enrolment/enrol/index.js';
import { planStreams, WritePipeline } from '../enrolment/pipeline/write-pipeline.js';
import { createRejectionSink } from '../enrolment/rejections.js';
import { createContactResolver } from '../enrolment/resolve/index.js';
import { requireConfig, type CommandContext } from './context.js';
import { programNotEnrollable, translateDotdigitalError } from '../dotdigital/error-translation.js';

export async function runWrite(ctx: CommandContext): Promise<void> {
  const config = requireConfig(ctx);
  if (!ctx.catalog) throw new SystemError('The write command needs a catalog, but none was loaded.');
  const streams = planStreams(ctx.catalog, config);
  const programIds = [...new Set(streams.map((stream) => stream.programId))];
  const action = {
    doing: `enrol contacts into program ${programIds.join(', ')}`,
    ...(programIds.length === 1 ? { programId: programIds[0] } : {}),
  };

  const rejections = createRejectionSink(config, { catalog: ctx.catalog });
  // Ends the engines' waits (polling, allowance) once the pipeline is done, so no timer outlives the sync.
  const done = new AbortController();
  const engineSignal = AbortSignal.any([ctx.signal, done.signal]);
  let client: DotdigitalClient | undefined;
  try {
    client = await createDotdigitalClient(config, { logger: ctx.logger, signal: ctx.signal });
    for (const programId of programIds) await requireActiveProgram(client, programId);
    const resolver = createContactResolver(client, config, ctx.logger);
    const engines = new Map<number, EnrolmentEngine>();
    for (const programId of programIds) {
      engines.set(
        programId,
        createEnrolmentEngine(client, config, programId, ctx.logger, { signal: engineSignal }),
      );
    }
    if (config.dryRun) {
      ctx.logger.info('dry_run is on: records are mapped, validated and resolved, but nobody is enrolled.');
    }
    const dotdigital = client;
    const pipeline = new WritePipeline({
      config,
      streams,
      resolver,
      engines,
      out: ctx.writer,
      logger: ctx.logger,
      rejections,
      signal: ctx.signal,
      stopInput: () => (ctx.stdin as Partial<NodeJS.ReadStream>).destroy?.(),
      apiStats: () => dotdigital.stats(),
    });
    await pipeline.run(readMessageBatches(ctx.stdin));
    // Staging lists (list mode) are kept only as long as a re-run may need them.
    for (const engine of engines.values()) await engine.finish();
  } catch (error) {
    throw translateDotdigitalError(error, action);
  } finally {
    done.abort();
    // The pipeline has flushed what a state or the summary counts; a failure here adds nothing to report.
    await rejections
      .close()
      .catch((error: unknown) =>
        ctx.logger.warn(`Closing the rejected-records store failed: ${(error as Error).message}`),
      );
    await client?.close();
  }
}

/** Fails before reading any record when a program cannot take enrolments, so no input is consumed. */
async function requireActiveProgram(client: DotdigitalClient, programId: number): Promise<void> {
  let program;
  try {
    program = await client.getProgram(programId);
  } catch (error) {
    throw translateDotdigitalError(error, { doing: `read program ${programId}`, programId });
  }
  const problem = programNotEnrollable(program);
  if (problem !== undefined) throw new ConfigError(problem, `program ${programId} status ${program.status}`);
}
