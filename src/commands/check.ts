import type { ConnectorConfig } from '../config/types.js';
import { createDotdigitalClient } from '../dotdigital/client.js';
import type { DotdigitalClient, Program } from '../dotdigital/types.js';
import { NetworkError } from '../dotdigital/http.js';
import { planBaseUrl } from '../dotdigital/regions.js';
import { formatDuration } from '../time/duration.js';
import { ConfigError, TransientError } from '../protocol/errors.js';
import { createRedactor } from '../protocol/redact.js';
import { reportCheckFailed } from './check-status.js';
import { runIds, runPrefix } from '../enrolment/rejected-records/object-keys.js';
import { probeObjectStorage } from '../enrolment/rejected-records/s3-client.js';
import { requireConfig, type CommandContext } from './context.js';
import {
  byHand,
  programNotEnrollable,
  programNotFound,
  translateDotdigitalError,
} from '../dotdigital/error-translation.js';

/**
 * Verifies, in order, the config (done by the runner), the credentials and region (resolved when the
 * client is created), the Programs permission, and the program. Anything the user must fix becomes a
 * FAILED status (exit 0, as Airbyte expects); a transient or unexpected failure is thrown so the runner
 * reports it as a TRACE error.
 */
/**
 * How long check keeps retrying an unreachable Dotdigital (and the longest one attempt may take): the
 * platform's check waits about 30 s, and FAILED naming base_url must come before that.
 */
export const CHECK_BUDGET_MS = 12_000;

export async function runCheck(ctx: CommandContext): Promise<void> {
  const config = requireConfig(ctx);
  const redact = createRedactor(ctx.secrets);
  let client: DotdigitalClient | undefined;
  try {
    client = await createDotdigitalClient(config, {
      logger: ctx.logger,
      signal: ctx.signal,
      retry: { maxTotalDelayMs: CHECK_BUDGET_MS },
      requestTimeoutMs: CHECK_BUDGET_MS,
    }).catch((error: unknown) => {
      throw translateDotdigitalError(error, { doing: "find the account's region" });
    });
    const message = [await verifyPrograms(client, config), await verifyObjectStorage(config)]
      .filter((part) => part !== '')
      .join(' ');
    ctx.logger.info(`Check passed: ${message}`);
    ctx.writer.write({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'SUCCEEDED', message: redact(message) },
    });
  } catch (error) {
    if (unreachable(error) && !ctx.signal.aborted) {
      const target = targetUrl(config);
      ctx.logger.info(`Check failed: ${error.internalMessage}`);
      reportCheckFailed(
        ctx.writer,
        redact(
          `Could not reach Dotdigital at ${target} within ${formatDuration(CHECK_BUDGET_MS)}: ${error.message} ` +
            `Check base_url (leave it empty to use Dotdigital's own endpoints) and the network path to it.`,
        ),
      );
      return;
    }
    if (!(error instanceof ConfigError)) throw error;
    ctx.logger.info(`Check failed: ${error.internalMessage}`);
    reportCheckFailed(ctx.writer, redact(error.message));
  } finally {
    await client?.close();
  }
}

async function verifyPrograms(client: DotdigitalClient, config: ConnectorConfig): Promise<string> {
  if (config.programId !== undefined) {
    const programId = config.programId;
    const program = await client.getProgram(programId).catch((error: unknown) => {
      throw translateDotdigitalError(error, {
        doing: `read program ${programId}`,
        programId,
        regionSetByHand: byHand(config),
      });
    });
    // Some answers for an unknown id come back as an empty program rather than a 404.
    if (!program)
      throw new ConfigError(programNotFound(programId), `getProgram(${programId}) returned nothing`);
    const problem = programNotEnrollable(program);
    if (problem) throw new ConfigError(problem, `program ${programId} status ${program.status}`);
    return `Connected to Dotdigital at ${client.baseUrl}; program ${program.id}${program.name ? ` "${program.name}"` : ''} is Active.`;
  }
  const programs = await client.listPrograms().catch((error: unknown) => {
    throw translateDotdigitalError(error, { doing: 'list the programs', regionSetByHand: byHand(config) });
  });
  const active = programs.filter((program) => program.status === 'Active');
  if (active.length === 0) {
    throw new ConfigError(
      'The Dotdigital account has no Active program to enrol contacts into. Activate a program in Dotdigital, ' +
        'then run the check again.',
      `${programs.length} program(s), none Active`,
    );
  }
  return (
    `Connected to Dotdigital at ${client.baseUrl}. No program_id is set: pick one of the Active programs ` +
    `${describePrograms(active)} as the destination object (discover lists them), or set program_id.`
  );
}

/** Gave up because the network never answered (refused, reset, timed out, unknown host). */
function unreachable(error: unknown): error is TransientError {
  if (!(error instanceof TransientError)) return false;
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof NetworkError) return true;
  }
  return false;
}

/** The URL check called first: base_url when set, else Dotdigital's discovery or regional endpoint. */
function targetUrl(config: ConnectorConfig): string {
  const plan = planBaseUrl(config);
  return plan.kind === 'fixed' ? plan.baseUrl : plan.discoveryUrl;
}

function describePrograms(programs: Program[]): string {
  const shown = programs.slice(0, 10).map((program) => `${program.id} "${program.name ?? ''}"`);
  return shown.join(', ') + (programs.length > 10 ? ` and ${programs.length - 10} more` : '');
}

/** Writes and deletes a test object where the sync will store rejected records; '' when none is set. */
async function verifyObjectStorage(config: ConnectorConfig): Promise<string> {
  const storage = config.objectStorage;
  if (storage.type !== 's3') return '';
  const prefix = runPrefix(storage.bucketPath, runIds(process.env, new Date()));
  return `Object storage: ${await probeObjectStorage(storage, prefix)}.`;
}
