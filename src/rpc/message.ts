/**
 * ONC RPC message headers (RFC 5531 §9): rpc_msg with call_body or reply_body. Decoding stops where the
 * program's arguments or results begin (`bodyOffset`); program decoders take over from there.
 */
import { readOpaqueAuth, type OpaqueAuth } from './auth';
import { XdrReader, XdrError } from './xdr';

export const ACCEPT_STATS = ['SUCCESS', 'PROG_UNAVAIL', 'PROG_MISMATCH', 'PROC_UNAVAIL', 'GARBAGE_ARGS', 'SYSTEM_ERR'];
export const REJECT_STATS = ['RPC_MISMATCH', 'AUTH_ERROR'];
/** RFC 5531 §9 auth_stat, with the Kerberos (8-12) and RPCSEC_GSS (RFC 2203: 13, 14) values. */
export const AUTH_STATS = [
  'AUTH_OK',
  'AUTH_BADCRED',
  'AUTH_REJECTEDCRED',
  'AUTH_BADVERF',
  'AUTH_REJECTEDVERF',
  'AUTH_TOOWEAK',
  'AUTH_INVALIDRESP',
  'AUTH_FAILED',
  'AUTH_KERB_GENERIC',
  'AUTH_TIMEEXPIRE',
  'AUTH_TKT_FILE',
  'AUTH_DECODE',
  'AUTH_NET_ADDR',
  'RPCSEC_GSS_CREDPROBLEM',
  'RPCSEC_GSS_CTXPROBLEM',
];

export function acceptStatName(n: number): string {
  return ACCEPT_STATS[n] ?? `ACCEPT_STAT_${n}`;
}
export function rejectStatName(n: number): string {
  return REJECT_STATS[n] ?? `REJECT_STAT_${n}`;
}
export function authStatName(n: number): string {
  return AUTH_STATS[n] ?? `AUTH_STAT_${n}`;
}

export interface RpcCall {
  type: 'call';
  xid: number;
  rpcvers: number;
  prog: number;
  vers: number;
  proc: number;
  cred: OpaqueAuth;
  verf: OpaqueAuth;
  /** Offset of the procedure's arguments within the record bytes. */
  bodyOffset: number;
}

export interface RpcReply {
  type: 'reply';
  xid: number;
  /** 0 MSG_ACCEPTED, 1 MSG_DENIED. */
  replyStat: number;
  verf?: OpaqueAuth;
  acceptStat?: number;
  /** PROG_MISMATCH (accepted) or RPC_MISMATCH (denied) version range. */
  mismatch?: { low: number; high: number };
  rejectStat?: number;
  authStat?: number;
  /** Offset of the procedure's results (SUCCESS only) within the record bytes. */
  bodyOffset: number;
}

export type RpcMessage = RpcCall | RpcReply;

export type DecodeResult = { ok: true; msg: RpcMessage } | { ok: false; reason: string; short: boolean };

/** Decodes the RPC header of a record. Never throws. `short` tells a header cut off by truncation apart from
 *  malformed data. */
export function decodeRpcHeader(bytes: Uint8Array): DecodeResult {
  const r = new XdrReader(bytes);
  try {
    const xid = r.u32('xid');
    const mtype = r.u32('msg_type');
    if (mtype === 0) {
      const rpcvers = r.u32('rpcvers');
      const prog = r.u32('prog');
      const vers = r.u32('vers');
      const proc = r.u32('proc');
      const cred = readOpaqueAuth(r, true, true);
      const verf = readOpaqueAuth(r, false, true);
      return { ok: true, msg: { type: 'call', xid, rpcvers, prog, vers, proc, cred, verf, bodyOffset: r.pos } };
    }
    if (mtype === 1) {
      const replyStat = r.u32('reply_stat');
      if (replyStat === 0) {
        const verf = readOpaqueAuth(r, false, false);
        const acceptStat = r.u32('accept_stat');
        const reply: RpcReply = { type: 'reply', xid, replyStat, verf, acceptStat, bodyOffset: 0 };
        if (acceptStat === 2) reply.mismatch = { low: r.u32('low'), high: r.u32('high') };
        reply.bodyOffset = r.pos;
        return { ok: true, msg: reply };
      }
      if (replyStat === 1) {
        const rejectStat = r.u32('reject_stat');
        const reply: RpcReply = { type: 'reply', xid, replyStat, rejectStat, bodyOffset: 0 };
        if (rejectStat === 0) reply.mismatch = { low: r.u32('low'), high: r.u32('high') };
        else if (rejectStat === 1) reply.authStat = r.u32('auth_stat');
        else return { ok: false, reason: `unknown reject_stat ${rejectStat}`, short: false };
        reply.bodyOffset = r.pos;
        return { ok: true, msg: reply };
      }
      return { ok: false, reason: `unknown reply_stat ${replyStat}`, short: false };
    }
    return { ok: false, reason: `unknown msg_type ${mtype}`, short: false };
  } catch (e) {
    if (e instanceof XdrError) return { ok: false, reason: e.message, short: e.kind === 'short' };
    throw e;
  }
}
