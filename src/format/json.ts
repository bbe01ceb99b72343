/**
 * JSON Lines output: one object per RPC message (call or reply). Pure: builds the object; the caller writes it.
 * Numbers stay numbers (xid unsigned); `time` is a string with 9 decimals so nanoseconds survive.
 */
import { formatEpoch } from '../capture/raw-frame';
import type { OpaqueAuth } from '../rpc/auth';
import { acceptStatName, authStatName, rejectStatName } from '../rpc/message';
import type { FormatContext } from '../rpc/registry';
import { currentFlags, type RpcEvent } from '../rpc/rpc-event';
import { jsonText } from './json-text';
import { toJsonValue } from './json-value';
import { summaryText } from './summary-line';

function authJson(a: OpaqueAuth): Record<string, unknown> {
  const o: Record<string, unknown> = { flavor: a.flavorName, flavorNumber: a.flavor, length: a.length };
  if (a.unix) {
    o.stamp = a.unix.stamp;
    o.machine = a.unix.machine;
    o.uid = a.unix.uid;
    o.gid = a.unix.gid;
    o.gids = a.unix.gids;
  }
  if (a.des) o.des = a.des;
  if (a.gss) o.gss = a.gss;
  if (a.malformed) o.malformed = true;
  return o;
}

export function eventToJson(ev: RpcEvent, f: FormatContext): Record<string, unknown> {
  const r = ev.record;
  const m = ev.msg;
  const tx = ev.tx;
  const o: Record<string, unknown> = {
    frame: r.frameNo,
    time: formatEpoch(r.ts),
    transport: r.transport,
    src: r.src,
    sport: r.sport,
    dst: r.dst,
    dport: r.dport,
    type: m.type,
    xid: m.xid,
    program: ev.prog,
    version: ev.vers,
    procedure: ev.proc,
    programName: ev.programName,
    procedureName: ev.procedureName,
    summary: summaryText(ev, f),
  };
  if (m.type === 'call') {
    o.rpcVersion = m.rpcvers;
    o.auth = authJson(m.cred);
    o.verifier = authJson(m.verf);
    o.replyFrame = tx?.replyFrame ?? null;
    o.rtt = tx?.rtt ?? null;
    if (ev.retransmitOf !== null) o.retransmitOf = ev.retransmitOf;
  } else {
    o.callFrame = tx?.callFrame ?? null;
    o.rtt = rttOf(ev);
    if (tx && tx.callCount > 1) o.lastCallFrame = tx.lastCallFrame;
    o.replyStat = m.replyStat === 0 ? 'MSG_ACCEPTED' : m.replyStat === 1 ? 'MSG_DENIED' : String(m.replyStat);
    if (m.replyStat === 0) {
      o.acceptStat = acceptStatName(m.acceptStat ?? -1);
      if (m.verf) o.verifier = authJson(m.verf);
    } else {
      o.rejectStat = rejectStatName(m.rejectStat ?? -1);
      if (m.authStat !== undefined) o.authStat = authStatName(m.authStat);
    }
    if (m.mismatch) o.mismatch = m.mismatch;
  }
  if (m.type === 'call') {
    if (ev.args !== undefined) o.args = toJsonValue(ev.args, f.path);
  } else if (ev.result !== undefined) {
    o.result = toJsonValue(ev.result, f.path);
  }
  if (ev.status !== null) o.status = ev.status;
  if (ev.decodeError !== null) o.decodeError = ev.decodeError;
  o.length = r.length;
  o.frames = r.frames;
  if (r.transport === 'tcp') o.fragments = r.fragments;
  o.truncated = r.truncated;
  o.flags = currentFlags(ev);
  o.anomalies = ev.anomalies;
  return o;
}

/** A reply's RTT: from the first transmission of its call to this reply (for the first reply, tx.rtt). */
function rttOf(ev: RpcEvent): number | null {
  const tx = ev.tx;
  if (!tx) return null;
  const r = ev.record.ts;
  return r.sec - tx.callTs.sec + (r.nsec - tx.callTs.nsec) / 1e9;
}

export function eventToJsonLine(ev: RpcEvent, f: FormatContext): string {
  return jsonText(eventToJson(ev, f));
}
