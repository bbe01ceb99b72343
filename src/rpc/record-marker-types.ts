/** Options, counters and the record type of the TCP record marker (record-marking.ts). */
import type { Anomaly } from '../anomaly';
import type { RecordBudget } from './record-budget';
import type { RpcRecord } from './rpc-record';

/** A record from a TCP stream. */
export interface TcpRpcRecord extends RpcRecord {
  transport: 'tcp';
  connId: string;
  /** Bytes skipped while resynchronising just before this record (0 when the stream was in sync). */
  skippedBefore: number;
}

export interface RecordMarkerOptions {
  /** Bytes of one record kept; the rest is skipped by counting ('record_too_large'). At least 1024. */
  maxRecordSize: number;
  /** Bytes a resync may buffer while it waits to see where a candidate record ends. */
  resyncWindow: number;
  /** Fragments one record may have. */
  maxFragments: number;
  /** The first byte is the start of the stream (the SYN was seen): start in sync. Otherwise resync first. */
  inSync: boolean;
  /** With inSync false: a record is known to start in the first chunk (a redecode starting at the frame where a
   *  wanted record begins). The first plausible record mark in it is taken at once, as if confirmed, and the bytes
   *  before it (the tail of an earlier record) are not reported as a resync. */
  recordInFirstChunk: boolean;
}

export const DEFAULT_RECORD_MARKING: RecordMarkerOptions = {
  maxRecordSize: 16 << 20,
  resyncWindow: 256 << 10,
  maxFragments: 4096,
  inSync: false,
  recordInFirstChunk: false,
};

export interface RecordMarkerStats {
  records: number;
  truncatedRecords: number;
  tooLargeRecords: number;
  /** Partial records cut to keep every direction's held bytes within the shared budget (record-budget.ts). */
  budgetCutRecords: number;
  /** Times the marker entered RESYNC (including the start of a stream joined mid-way). */
  resyncs: number;
  /** Bytes skipped while resynchronising (never emitted). */
  skippedBytes: number;
  /** Bytes reported lost by the reassembler (gapBefore and trailing gaps). */
  lostBytes: number;
  /** Zero-length records (legal framing, not an RPC message): dropped, counted as 'not_rpc'. */
  emptyRecords: number;
  /** Records found by an unconfirmed resync and dropped because what followed them was not RPC. */
  discardedRecords: number;
}

export function newRecordMarkerStats(): RecordMarkerStats {
  return {
    records: 0,
    truncatedRecords: 0,
    tooLargeRecords: 0,
    budgetCutRecords: 0,
    resyncs: 0,
    skippedBytes: 0,
    lostBytes: 0,
    emptyRecords: 0,
    discardedRecords: 0,
  };
}

/** Counters shared by the markers of many streams (optional). */
export interface RecordMarkerShared {
  counters: Partial<Record<Anomaly, number>>;
  stats: RecordMarkerStats;
  onAnomaly?: (anomaly: Anomaly, connId: string, frameNo: number) => void;
  /** The byte budget for partial records of every direction (--max-record-buffer); none: unbounded in all. */
  budget?: RecordBudget;
}
