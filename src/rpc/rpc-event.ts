import type { Anomaly } from '../anomaly';
import type { RawFrame } from '../capture/raw-frame';
import type { RpcMessage } from './message';
import type { PairingFlag, Transaction } from './pairing';
import type { RpcRecord } from './rpc-record';

/**
 * One decoded ONC RPC message as it leaves the core pipeline: the record it came from, its header, what pairing
 * made of it, and the names from the registry. The transaction is shared by a call, its retransmissions and its
 * replies, and keeps changing (a call learns its reply later), so formatters read it when they print.
 */
export interface RpcEvent {
  /** Order in which messages completed, from 1. */
  seq: number;
  record: RpcRecord;
  msg: RpcMessage;
  /** From the call (for a reply: from its paired call, or null for an orphan). */
  prog: number | null;
  vers: number | null;
  proc: number | null;
  programName: string | null;
  procedureName: string | null;
  tx: Transaction | null;
  /** Flags known when the message was decoded (retransmit, xid_reuse, duplicate_reply, orphan_reply, late_reply). */
  flags: PairingFlag[];
  /** For a retransmitted call: the frame of the first transmission. */
  retransmitOf: number | null;
  anomalies: Anomaly[];
  /** Decoded procedure arguments (calls) with RFC field names, when the registry has a decoder. */
  args?: unknown;
  /** Decoded procedure results (successful replies to a known call). */
  result?: unknown;
  /** The result's RFC status name ("NFS3_OK", "MNT3ERR_ACCES"), for procedures that return one. */
  status: string | null;
  /** Why the arguments or results could not be decoded (XDR error text), or null. */
  decodeError: string | null;
  /** The frame that completed the message (for -V/-v lower layers); null when the message is reported at an
   *  earlier frame (a truncated record) whose bytes are gone. */
  frame: RawFrame | null;
}

/** A frame that completed no RPC message, reported only when asked for (`-a`): snoop prints every packet. */
export interface FrameEvent {
  seq: number;
  frame: RawFrame;
  other: true;
}

export type PipelineEvent = RpcEvent | FrameEvent;

export function isRpcEvent(ev: PipelineEvent): ev is RpcEvent {
  return !('other' in ev);
}

/** Flags as they stand now: the decode-time flags plus what the transaction learned later (unanswered). */
export function currentFlags(ev: RpcEvent): PairingFlag[] {
  const tx = ev.tx;
  if (ev.msg.type !== 'call' || !tx || tx.state !== 'unanswered') return ev.flags;
  const out = ev.flags.slice();
  out.push('unanswered');
  if (tx.evicted) out.push('evicted');
  return out;
}
