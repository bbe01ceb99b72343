import type { Anomaly } from '../anomaly';
import type { StreamChunk } from '../reassembly/stream-chunk';
import type { TcpReassemblerHandlers, TcpStreamEnd, TcpStreamInfo } from '../reassembly/tcp-reassembler';
import { newRecordMarkerStats, type RecordMarkerOptions, type RecordMarkerShared, type RecordMarkerStats, type TcpRpcRecord } from './record-marker-types';
import { RecordBudget } from './record-budget';
import { RecordMarker } from './record-marking';

/** Bytes of partial records held by all directions together (--max-record-buffer). */
export const DEFAULT_MAX_RECORD_BUFFER = 64 << 20;

/**
 * The record layer for every TCP stream: plug it into the reassembler as its handlers.
 *
 *   const records = new TcpRecordLayer((rec) => onRecord(rec), { maxRecordSize });
 *   const tcp = new TcpReassembler(records);
 *   for (const pkt of packets) tcp.push(pkt);   // records arrive synchronously, in order per direction
 *   tcp.finish();                                // flushes partial records (truncated) of open streams
 *
 * One RecordMarker per direction, started in sync when the reassembler saw the start of that direction.
 * `maxRecordBuffer`: the bytes of partial records all directions may hold together (record-budget.ts; default
 * 64 MiB); past it the oldest partial record is cut.
 * `recordStartFrame` (redecode): a record starts in that frame's segment, so the direction whose first chunk comes
 * from it, joined mid-way, takes the first plausible record mark in it at once (RecordMarkerOptions.recordInFirstChunk).
 */
export class TcpRecordLayer implements TcpReassemblerHandlers {
  readonly counters: Partial<Record<Anomaly, number>> = {};
  readonly stats: RecordMarkerStats = newRecordMarkerStats();
  private readonly markers = new Map<string, RecordMarker>();
  readonly budget: RecordBudget;
  private readonly shared: RecordMarkerShared;
  private readonly options: Partial<Omit<RecordMarkerOptions, 'inSync' | 'recordInFirstChunk'>>;

  constructor(
    private readonly onRecord: (rec: TcpRpcRecord) => void,
    options: Partial<Omit<RecordMarkerOptions, 'inSync' | 'recordInFirstChunk'>> & { maxRecordBuffer?: number } = {},
    onAnomaly?: (anomaly: Anomaly, connId: string, frameNo: number) => void,
    private readonly recordStartFrame?: number,
  ) {
    const { maxRecordBuffer, ...marker } = options;
    this.options = marker;
    this.budget = new RecordBudget(maxRecordBuffer ?? DEFAULT_MAX_RECORD_BUFFER);
    this.shared = { counters: this.counters, stats: this.stats, onAnomaly, budget: this.budget };
  }

  /** Directions with a marker (streams not yet ended). */
  get openStreams(): number {
    return this.markers.size;
  }

  onChunk(chunk: StreamChunk, stream: TcpStreamInfo): void {
    let m = this.markers.get(stream.key);
    if (!m) {
      const recordInFirstChunk = chunk.frameNo === this.recordStartFrame;
      m = new RecordMarker({ ...this.options, inSync: stream.fromStart, recordInFirstChunk }, this.onRecord, this.shared);
      this.markers.set(stream.key, m);
    }
    m.push(chunk);
  }

  onStreamEnd(stream: TcpStreamInfo, end: TcpStreamEnd): void {
    const m = this.markers.get(stream.key);
    if (!m) return;
    this.markers.delete(stream.key);
    m.close(end.trailingGap);
  }
}
