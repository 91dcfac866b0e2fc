/**
 * Map and validate: turns a raw record into the identifier to resolve, or rejects it (unknown stream,
 * not an object, no usable identifier). It runs once per record on the read loop, so it allocates one
 * object per record and remembers the last stream's route instead of building a key for every record.
 */
import type { AirbyteRecordMessage } from '../../protocol/messages.js';
import { streamKey, type Tally } from './checkpoints.js';
import { Reason } from '../rejections.js';
import { rejected } from './outcome.js';
import type { InFlight, StreamRoute } from './program-state.js';
import type { StageContext } from './stage-context.js';

export class RecordPreparation {
  private lastRoute: { name: string; namespace: string | undefined; route: StreamRoute | undefined } | null =
    null;
  private readonly unknownStreams = new Set<string>();

  constructor(
    private readonly ctx: StageContext,
    private readonly routes: ReadonlyMap<string, StreamRoute>,
  ) {}

  /** The record with its normalised identifier, or null when it has been rejected. */
  prepare(record: AirbyteRecordMessage, tally: Tally, size: number): InFlight | null {
    let cached = this.lastRoute;
    if (cached === null || cached.name !== record.stream || cached.namespace !== record.namespace) {
      cached = {
        name: record.stream,
        namespace: record.namespace,
        route: this.routes.get(streamKey(record.stream, record.namespace)),
      };
      this.lastRoute = cached;
    }
    const route = cached.route;
    const item: InFlight = {
      kind: 'contactId',
      value: '',
      tally,
      record,
      route: route!,
      contactId: 0,
      size,
    };
    if (route === undefined) {
      this.noteUnknownStream(record);
      this.ctx.outcomes.settle(item, rejected(Reason.streamNotInCatalog));
      return null;
    }
    const data = record.data;
    // The one place that decides it: a record whose data is not an object is a bad record, not bad input.
    if (!isJsonObject(data)) {
      this.ctx.outcomes.settle(item, rejected(Reason.invalidRecord));
      return null;
    }
    const failure = route.mapper.map(data, item);
    if (failure !== null) {
      this.ctx.outcomes.settle(
        item,
        rejected(failure.reason, failure.field === undefined ? undefined : `field ${failure.field}`),
      );
      return null;
    }
    return item;
  }

  private noteUnknownStream(record: AirbyteRecordMessage): void {
    const key = streamKey(record.stream, record.namespace);
    if (this.unknownStreams.has(key)) return;
    this.unknownStreams.add(key);
    this.ctx.logger.warn(
      `Records of stream "${record.namespace ? `${record.namespace}.` : ''}${record.stream}" are not in the ` +
        'configured catalog; they are rejected as stream_not_in_catalog.',
    );
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
