/**
 * What the analyses (`--explain`, `--findings`) read from RpcEvents, in one place: reply outcomes (RPC level and
 * program status), the handle a call is about, addresses, and number formatting. Pure functions, no state.
 */
import type { Timestamp } from '../capture/raw-frame';
import { isOkStatus } from '../programs/status-ok';
import { FileHandle } from '../programs/file-handle';
import { acceptStatName, authStatName, rejectStatName, type RpcReply } from '../rpc/message';
import type { RpcEvent } from '../rpc/rpc-event';
import { programName } from '../rpc/program-names';

export const PORTMAP_PROG = 100000;
export const NFS_PROG = 100003;
export const MOUNT_PROG = 100005;

/** A file handle → its learned path (`server:/export/dir/file`), or null. Keyed by the handle's lowercase hex,
 *  as FhNames.path() is: pass `(hex) => pipeline.names.path(hex)`. */
export type PathLookup = (fhHex: string) => string | null;

/** Epoch seconds as a float (for durations and idle times; RTTs come from the pairing table). */
export function tsSeconds(ts: Timestamp): number {
  return ts.sec + ts.nsec / 1e9;
}

/** How a reply came back, as the analyses need it. */
export interface ReplyOutcome {
  /** MSG_ACCEPTED with SUCCESS: the procedure ran (its own status may still be an error). */
  executed: boolean;
  /** `SUCCESS`, an accept_stat (`PROG_UNAVAIL`, `PROG_MISMATCH`, `PROC_UNAVAIL`, `GARBAGE_ARGS`, `SYSTEM_ERR`)
   *  or a reject_stat (`RPC_MISMATCH`, `AUTH_ERROR`). */
  rpcStatus: string;
  /** For AUTH_ERROR: the auth_stat name (`AUTH_TOOWEAK`, ...). */
  authStat?: string;
  /** PROG_MISMATCH / RPC_MISMATCH: the versions the server supports. */
  mismatch?: { low: number; high: number };
  /** The program's own status (`MNT3_OK`, `NFS3ERR_STALE`, ...) when it has one and it was decoded. */
  status: string | null;
}

export function replyOutcome(ev: RpcEvent): ReplyOutcome {
  const m = ev.msg as RpcReply;
  if (m.replyStat === 0) {
    const rpcStatus = acceptStatName(m.acceptStat ?? 0);
    const out: ReplyOutcome = { executed: m.acceptStat === 0, rpcStatus, status: ev.status };
    if (m.mismatch) out.mismatch = { low: m.mismatch.low, high: m.mismatch.high };
    return out;
  }
  const rpcStatus = rejectStatName(m.rejectStat ?? 0);
  const out: ReplyOutcome = { executed: false, rpcStatus, status: null };
  if (m.authStat !== undefined) out.authStat = authStatName(m.authStat);
  if (m.mismatch) out.mismatch = { low: m.mismatch.low, high: m.mismatch.high };
  return out;
}

/** A program status that means success (`MNT3_OK`, `NFS3_OK`, any `*_OK`); null (no status) counts as success. */
export function statusOk(status: string | null): boolean {
  return status === null || isOkStatus(status);
}

/** The reply's outcome in a few words: `PROG_MISMATCH (server has v1-v3)`, `AUTH_ERROR (AUTH_TOOWEAK)`,
 *  `NFS3ERR_STALE`, `OK`. */
export function outcomeWords(o: ReplyOutcome): string {
  if (!o.executed) {
    if (o.rpcStatus === 'AUTH_ERROR') return `AUTH_ERROR (${o.authStat ?? '?'})`;
    if (o.mismatch) {
      const range = `v${o.mismatch.low}-v${o.mismatch.high}`;
      return o.rpcStatus === 'RPC_MISMATCH' ? `RPC_MISMATCH (server speaks RPC ${range})` : `PROG_MISMATCH (server has ${range})`;
    }
    return o.rpcStatus;
  }
  return o.status ?? 'OK';
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(addr: string): boolean {
  const a = addr.toLowerCase();
  if (a.startsWith('127.')) return true;
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  return /^::ffff:127\./.test(a);
}

/** `PROG` name or number: `MOUNT`, `NFS`, `100099`. */
export function progLabel(prog: number): string {
  return programName(prog) ?? String(prog);
}

/** The file handle a call is about, with the name for directory operations: the first of the NFSv3 argument
 *  fields `object`, `file`, `fsroot`, `dir`, `what`, `where`, `from`, `symlink` that holds a handle, or a
 *  diropargs3 (directory handle + name). */
export interface CallHandle {
  fh: FileHandle;
  /** For directory operations (LOOKUP, CREATE, REMOVE, ...): the name within `fh`. */
  name?: string;
}

const HANDLE_FIELDS = ['object', 'file', 'fsroot', 'dir', 'what', 'where', 'from', 'symlink'];

export function callHandle(args: unknown): CallHandle | null {
  if (args === null || typeof args !== 'object') return null;
  const a = args as Record<string, unknown>;
  for (const f of HANDLE_FIELDS) {
    const v = a[f];
    if (v instanceof FileHandle) return { fh: v };
    if (v !== null && typeof v === 'object') {
      const d = v as Record<string, unknown>;
      if (d.dir instanceof FileHandle && typeof d.name === 'string') return { fh: d.dir, name: d.name };
    }
  }
  return null;
}

/** The path a call is about: the learned path of its handle (plus `/name`), or `FH=XXXX[/name]` when unknown. */
export function callPath(h: CallHandle, lookup: PathLookup | null): string {
  const base = (lookup ? lookup(h.fh.hex) : null) ?? `FH=${h.fh.hash}`;
  return h.name === undefined ? base : `${base.replace(/\/+$/, '')}/${h.name}`;
}

/** Seconds as milliseconds with 3 decimals: `0.123 ms`. */
export function fmtMs(seconds: number | null): string {
  return seconds === null ? '-' : `${(seconds * 1000).toFixed(3)} ms`;
}

/** Frame numbers, sorted and deduplicated. */
export function uniqueFrames(frames: Iterable<number>): number[] {
  return [...new Set(frames)].sort((a, b) => a - b);
}

/** `frames 4, 6, 9`; when long, at most `max` numbers then `, … (N in all)`. `total`: the count to state when
 *  `frames` is itself a sample of more. */
export function framesText(frames: number[], max = 12, total = frames.length): string {
  if (frames.length === 0) return 'no frames';
  const head = frames.slice(0, max).join(', ');
  const more = total > Math.min(max, frames.length) ? `, … (${total} in all)` : '';
  return `${total === 1 ? 'frame' : 'frames'} ${head}${more}`;
}

/** Paths longer than this are shortened in sentences (report fields like `export` keep them whole). */
const MAX_PATH_TEXT = 120;

/** A wire path for a sentence: whole, or its head and its length in bytes. */
export function clipPath(p: string): string {
  return p.length <= MAX_PATH_TEXT ? p : `${p.slice(0, MAX_PATH_TEXT - 40)}… (${Buffer.byteLength(p)} bytes)`;
}
