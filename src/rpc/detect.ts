/**
 * "Is this the start of an ONC RPC message?" — the content test that lets rpcsnoop find RPC on any port and
 * resynchronise a TCP stream (RFC 5531 §9: call_body and reply_body). It checks more than Wireshark's heuristic
 * (which accepts any call to a registered program) so that random bytes inside a WRITE payload or a non-RPC
 * protocol are not reported as messages:
 *  - call: rpcvers == 2, program not 0/0xffffffff, small version and procedure numbers, credential and verifier
 *    lengths <= 400 (RFC 5531 opaque_auth body<400>) that fit, and either a known auth flavor or a known program;
 *  - reply: reply_stat 0 with a known verifier flavor and accept_stat 0..5 (PROG_MISMATCH with low <= high), or
 *    reply_stat 1 with RPC_MISMATCH (low <= high) or AUTH_ERROR with an auth_stat RFC 5531 or RFC 2203 defines.
 * Pure: reads only [off, end) of `buf`.
 */
import { isKnownProgram, isTransientProgram } from './program-names';

export type Probe = 'call' | 'reply' | 'no' | 'more';

/** RFC 5531 §8.2 auth_flavor values plus RPCSEC_GSS (RFC 2203), AUTH_TLS (RFC 9289) and two seen in practice. */
const KNOWN_FLAVORS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 300001, 390039]);
const MAX_AUTH_BODY = 400;
/** Highest version / procedure a plausible call may carry. Real programs use single digits for versions and
 *  < 100 procedures; the margins admit probes (proc 99, version 0) that servers answer with errors. */
const MAX_VERSION = 255;
const MAX_PROC = 1023;

/** Big-endian unsigned 32-bit word at p (XDR's unsigned int); the caller has checked the bounds. */
export function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** Bytes that always suffice for a decision: a call with two 400-byte auth bodies is 856 bytes. */
export const PROBE_HEAD = 1024;

/** Minimum bytes before a decision can be made (a call with empty credential and verifier is 40 bytes). */
export const MIN_CALL_BYTES = 40;
export const MIN_REPLY_BYTES = 24;

export function probeRpcHeader(buf: Uint8Array, off: number, end: number): Probe {
  if (end - off < 8) return 'more';
  const mtype = u32(buf, off + 4);
  if (mtype === 0) return probeCall(buf, off, end);
  if (mtype === 1) return probeReply(buf, off, end);
  return 'no';
}

function probeCall(b: Uint8Array, off: number, end: number): Probe {
  if (end - off < 24) return 'more';
  if (u32(b, off + 8) !== 2) return 'no';
  const prog = u32(b, off + 12);
  const vers = u32(b, off + 16);
  const proc = u32(b, off + 20);
  if (prog === 0 || prog === 0xffffffff || vers > MAX_VERSION || proc > MAX_PROC) return 'no';
  const known = isKnownProgram(prog) || isTransientProgram(prog);
  let p = off + 24;
  for (let i = 0; i < 2; i++) {
    if (end - p < 8) return 'more';
    const flavor = u32(b, p);
    const len = u32(b, p + 4);
    if (len > MAX_AUTH_BODY) return 'no';
    if (!KNOWN_FLAVORS.has(flavor) && !known) return 'no';
    if (flavor === 0 && len !== 0 && !known) return 'no';
    p += 8 + ((len + 3) & ~3);
  }
  return p <= end ? 'call' : 'more';
}

function probeReply(b: Uint8Array, off: number, end: number): Probe {
  if (end - off < 12) return 'more';
  const stat = u32(b, off + 8);
  if (stat === 0) {
    if (end - off < 20) return 'more';
    const flavor = u32(b, off + 12);
    const len = u32(b, off + 16);
    if (!KNOWN_FLAVORS.has(flavor) || len > MAX_AUTH_BODY) return 'no';
    const p = off + 20 + ((len + 3) & ~3);
    if (end - p < 4) return 'more';
    const accept = u32(b, p);
    if (accept > 5) return 'no';
    if (accept === 2) {
      if (end - p < 12) return 'more';
      if (u32(b, p + 4) > u32(b, p + 8)) return 'no';
    }
    return 'reply';
  }
  if (stat === 1) {
    if (end - off < 16) return 'more';
    const reject = u32(b, off + 12);
    if (reject === 0) {
      if (end - off < 24) return 'more';
      return u32(b, off + 16) <= u32(b, off + 20) ? 'reply' : 'no';
    }
    if (reject === 1) {
      if (end - off < 20) return 'more';
      const auth = u32(b, off + 16);
      return auth <= 14 ? 'reply' : 'no';
    }
  }
  return 'no';
}
