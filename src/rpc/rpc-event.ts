import type { Anomaly } from '../anomaly';
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
