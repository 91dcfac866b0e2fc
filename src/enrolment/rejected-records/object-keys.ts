/**
 * Where in the bucket a sync's rejected records go: `<bucket_path>/<job id>/<attempt>/<namespace>/<stream>/
 * <date>_<epoch ms>_<part>.jsonl`. The platform links a job's rejected records to `<bucket_path>/<job id>/`
 * (airbyte-platform ObjectStoragePathResolver.kt: `"${bucketPath.trimEnd('/')}/$jobId/"`); the attempt
 * keeps a retry's objects apart from the attempt before it. The ids come from the variables the platform
 * sets on every connector container (WorkerEnvConstants.kt: WORKER_JOB_ID, WORKER_JOB_ATTEMPT).
 */
export const JOB_ID_VARIABLE = 'WORKER_JOB_ID';
export const ATTEMPT_VARIABLE = 'WORKER_JOB_ATTEMPT';

export interface RunIds {
  job: string;
  attempt: string;
  /** The job id as the CDK's numeric sync_id, when it is one. */
  syncId: number | null;
}

/** Outside the platform there is no job: the run's start time stands in for it, so runs never collide. */
export function runIds(env: NodeJS.ProcessEnv, now: Date): RunIds {
  const job = safeSegment(env[JOB_ID_VARIABLE]) ?? `run-${now.toISOString().replace(/[:.]/g, '-')}`;
  const attempt = safeSegment(env[ATTEMPT_VARIABLE]) ?? '0';
  return { job, attempt, syncId: /^\d{1,15}$/.test(job) ? Number(job) : null };
}

export function runPrefix(bucketPath: string, ids: RunIds): string {
  return [bucketPath, ids.job, ids.attempt].filter((part) => part !== '').join('/');
}

export function objectKey(
  prefix: string,
  stream: { name: string; namespace?: string | undefined },
  startedAt: Date,
  part: number,
): string {
  const date = startedAt.toISOString().slice(0, 10).replace(/-/g, '_');
  const segments = [prefix];
  if (stream.namespace) segments.push(encodeSegment(stream.namespace));
  segments.push(encodeSegment(stream.name), `${date}_${startedAt.getTime()}_${part}.jsonl`);
  return segments.join('/');
}

function safeSegment(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? encodeSegment(trimmed) : undefined;
}

/** A stream name may hold a slash; it must not add a level to the key. */
function encodeSegment(value: string): string {
  return value.replace(/[/\\]/g, '_');
}
