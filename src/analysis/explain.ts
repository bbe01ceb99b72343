/**
 * `--explain`: finds the NFS mount sequence of each client in a stream of RpcEvents and explains it step by step.
 *
 * The sequence (RFC 1813 Appendix I, RFC 1833): ask rpcbind where MOUNT listens (PORTMAP GETPORT or RPCBIND
 * GETADDR/GETVERSADDR) → MNT the export path (mountd returns the export's root file handle) → ask rpcbind where
 * NFS listens → NFS NULL → FSINFO / PATHCONF / GETATTR of the root handle. Real clients skip, add and reorder
 * steps (libnfs pings PORTMAP and MOUNT with NULL and asks for EXPORT; Linux mount.nfs looks NFS up before MOUNT;
 * a client that knows the ports asks nobody), so the analysis is tolerant:
 *
 * - An attempt belongs to one client and one server (addresses) and is anchored on a MNT call, or on a lookup of
 *   MOUNT (or a MOUNT call) that no MNT follows: then it failed or stopped before MNT.
 * - Steps attach to the client's current attempt: lookups and NULL pings of NFS seen before any MOUNT traffic are
 *   kept for the next attempt (within PRELUDE_WINDOW seconds); NFS calls count as steps only on the root handle MNT
 *   returned; the first NFS call that is not a step (or an idle gap of IDLE_GAP seconds) ends the mount phase.
 * - A new lookup of MOUNT, or a MNT after a refused MOUNT call of another version or transport, starts a new
 *   attempt; consecutive attempts where the first failed are linked as a retry (over another transport, with
 *   another version, or the same request again).
 * - MOUNT traffic with no MNT in which every call was answered (showmount -e's EXPORT, rpcinfo's NULL pings) is
 *   not a mount attempt: it is listed under `other`.
 *
 * Verdict: the failing step is the last required step that failed and was not superseded (a lookup asked again
 * and answered, a refused ping followed by an accepted call to the same program): the one that ended the
 * sequence; earlier refusals the client went past become notes. A refused or unanswered MNT ends the attempt.
 * Optional steps (pings of rpcbind, EXPORT, UMNT, other MOUNT procedures) never decide it.
 *
 * Limits: a client that only probes (rpcinfo asking MOUNT v4 and getting PROG_MISMATCH, then nothing) looks like
 * a mount that failed before MNT, and is reported as one; at most MAX_STEPS steps are kept (further calls are
 * counted in `dropped`).
 *
 * Input: RpcEvents in pipeline order (`add`), in hold mode or not (a call's reply may be known when the call is
 * added, or come later); `finish()` after the pipeline's own finish() (so that unanswered calls are final).
 * Output: a JSON-able ExplainReport; explain-text.ts renders it.
 */
import { formatEpoch, type Timestamp } from '../capture/raw-frame';
import type { Exports, FhStatus, MountRes3 } from '../programs/mount-xdr';
import type { FSINFO3res, GETATTR3res, PATHCONF3res } from '../programs/nfs3/types';
import { isPartial } from '../programs/nfs3/partial-result';
import type { Mapping, Rpcb, UaddrResult } from '../programs/portmap-xdr';
import { netidTransport, protTransport } from '../programs/universal-address';
import type { PortResult } from '../programs/portmap';
import type { RpcCall } from '../rpc/message';
import type { Transaction } from '../rpc/pairing';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../rpc/rpc-event';
import { flavorName } from '../rpc/auth';
import {
  callHandle,
  clipPath,
  MOUNT_PROG,
  NFS_PROG,
  outcomeWords,
  PORTMAP_PROG,
  progLabel,
  replyOutcome,
  statusOk,
  tsSeconds,
  type ReplyOutcome,
} from './event-facts';

/** Seconds without a step after which a client's attempt is over. */
export const IDLE_GAP = 60;
/** NFS lookups and pings this many seconds before an attempt starts belong to it (Linux mount.nfs probes NFS
 *  just before MOUNT). */
export const PRELUDE_WINDOW = 2;
/** A failed attempt followed by another one of the same client and server within this many seconds: a retry. */
export const RETRY_WINDOW = 60;
/** rpcbind pings (NULL) this many seconds before a lookup belong to its attempt. */
export const PING_WINDOW = 5;
/** Steps kept in all (calls beyond it are counted in `dropped`, not analysed). */
export const MAX_STEPS = 200_000;

export { clipPath };

export type StepKind =
  | 'portmap-null'
  | 'lookup-mount'
  | 'mount-null'
  | 'mnt'
  | 'export'
  | 'mount-other'
  | 'lookup-nfs'
  | 'nfs-null'
  | 'fsinfo'
  | 'pathconf'
  | 'getattr'
  | 'first-use'
  | 'umnt';

export type Transport = 'udp' | 'tcp';

/** One step of an attempt: one call (with its retransmissions) and its reply. */
export interface ExplainStep {
  /** 1-based position in the attempt. */
  step: number;
  kind: StepKind;
  /** The call's frame, its retransmissions' frames, the reply's frame, in order. */
  frames: number[];
  callFrame: number;
  replyFrame: number | null;
  transport: Transport;
  /** What was asked: `PORTMAP v2 GETPORT MOUNT v3 proto UDP`, `MOUNT v3 MNT /export (AUTH_UNIX uid 0)`. */
  asked: string;
  /** What came back: `port 20048`, `MNT3ERR_ACCES`, `PROG_MISMATCH (server has v1-v3)`, `no reply`. */
  answered: string;
  /** Seconds from the first transmission of the call to the reply; null without a reply. */
  rtt: number | null;
  ok: boolean;
  /** One sentence on why the step exists. */
  why: string;
  /** A ping, the export list, UMNT or another MOUNT procedure: never the failing step. */
  optional: boolean;
  /** Transmissions after the first. */
  retransmissions: number;
  /** For a failed step: the likely cause. */
  cause?: string;
}

export type Verdict = 'mounted' | 'failed' | 'incomplete';

export interface MountAttempt {
  /** 1-based within the client, in capture order. */
  attempt: number;
  client: string;
  server: string;
  /** The export path of the MNT call, or null when none was made. */
  export: string | null;
  /** MOUNT version of the MNT call (or of the lookup / MOUNT calls when there is no MNT). */
  mountVersion: number | null;
  /** Transport of the MOUNT calls, or the transport the lookup asked for when there were none. */
  mountTransport: Transport | null;
  /** Transport of the NFS calls, or the one the NFS lookup asked for. */
  nfsTransport: Transport | null;
  /** The root handle MNT returned: lowercase hex and snoop's FH=XXXX hash. */
  rootFh: string | null;
  rootFhHash: string | null;
  firstFrame: number;
  lastFrame: number;
  /** Epoch seconds (9 decimals) of the first call. */
  start: string;
  /** Seconds from the first call to the last reply (or call). */
  duration: number;
  steps: ExplainStep[];
  verdict: Verdict;
  /** The step number that failed (verdict `failed`). */
  failedStep: number | null;
  /** Why it failed or stopped; null when mounted. */
  cause: string | null;
  /** Things worth knowing that did not decide the verdict (a refused version the client then changed, ...). */
  notes: string[];
  /** This attempt repeats attempt N of the same client, which failed. */
  retryOf: number | null;
  /** Attempt N of the same client repeats this failed one. */
  retriedBy: number | null;
  /** What the retry changed: `transport UDP → TCP`, `MOUNT v4 → v3`, `export /a → /b`, or `nothing (the same request again)`. */
  retryChange: string | null;
}

/** MOUNT or NFS traffic of a client that is not a mount: showmount's EXPORT/DUMP, rpcinfo's NULL pings, NFS probes. */
export interface OtherUse {
  client: string;
  server: string;
  kind: 'export-list' | 'mount-list' | 'ping' | 'lookup';
  /** What it looks like: `showmount -e (EXPORT)`, `rpcinfo-style NULL pings of MOUNT v1, v3`. */
  description: string;
  frames: number[];
  steps: Array<{ asked: string; answered: string; callFrame: number; replyFrame: number | null }>;
}

export interface ClientExplain {
  client: string;
  attempts: MountAttempt[];
  other: OtherUse[];
}

export interface ExplainReport {
  clients: ClientExplain[];
  totals: { attempts: number; mounted: number; failed: number; incomplete: number; other: number };
  /** Calls of the sequence not analysed once MAX_STEPS steps were kept. */
  dropped: number;
}

// ------------------------------------------------------------------------------------------------ internal state

interface StepState {
  kind: StepKind;
  tx: Transaction;
  client: string;
  server: string;
  transport: Transport;
  callFrame: number;
  frames: number[];
  callTs: number;
  callStamp: Timestamp;
  replyFrame: number | null;
  replyTs: number | null;
  /** RPC program version and procedure of the call. */
  vers: number;
  proc: number;
  asked: string;
  /** Lookups: the program, version and transport asked for. */
  lookupVers?: number;
  lookupTransport?: Transport | null;
  /** MNT / UMNT: the path. */
  dirpath?: string;
  /** NFS calls: the handle (hex) the call is about. */
  fhHex?: string;
  /** MNT call: the credential. */
  authFlavor?: number;
  reply: ReplyState | null;
  /** The attempt the step belongs to, once attached. */
  attempt: AttemptState | null;
}

interface ReplyState {
  outcome: ReplyOutcome;
  answered: string;
  ok: boolean;
  /** A lookup's answer. */
  port?: number;
  /** MNT's root handle. */
  rootFh?: string;
  rootFhHash?: string;
}

interface AttemptState {
  client: string;
  server: string;
  steps: StepState[];
  closed: boolean;
  lastTs: number;
  hasMnt: boolean;
  rootFh: string | null;
  rootFhHash: string | null;
  exportPath: string | null;
}

interface ConvState {
  client: string;
  server: string;
  attempts: AttemptState[];
  /** The attempts not closed yet, oldest first (pruned in expire): the per-call checks look at these only, so a
   *  client with thousands of mounts does not cost thousands of checks per call. */
  open: AttemptState[];
  /** NFS lookups and pings before any attempt. */
  prelude: StepState[];
  /** rpcbind pings waiting for the lookup they precede. */
  pings: StepState[];
  /** Prelude steps that no attempt took. */
  leftovers: StepState[];
}

const ROOT_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['fsinfo', 'pathconf', 'getattr', 'first-use']);
const OPTIONAL_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['portmap-null', 'export', 'mount-other', 'umnt']);
const MOUNTD_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['mount-null', 'mnt', 'export', 'mount-other', 'umnt']);
const NFSD_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['nfs-null', 'fsinfo', 'pathconf', 'getattr', 'first-use']);

/** NFSv3 procedures that are steps when they use the root handle. */
const NFS3_ROOT_PROCS: Record<number, StepKind> = { 1: 'getattr', 19: 'fsinfo', 20: 'pathconf' };

const MOUNT_PROC_NAMES: Record<number, string> = { 0: 'NULL', 1: 'MNT', 2: 'DUMP', 3: 'UMNT', 4: 'UMNTALL', 5: 'EXPORT', 6: 'EXPORTALL', 7: 'PATHCONF' };

const upper = (t: Transport | null | undefined): string => (t ? t.toUpperCase() : '?');


/** What one call is, for the mount sequence. */
interface Classified {
  kind: StepKind | 'nfs-call';
  asked: string;
  lookupVers?: number;
  lookupTransport?: Transport | null;
  dirpath?: string;
  fhHex?: string;
  authFlavor?: number;
}

function rpcbName(vers: number): string {
  return vers === 2 ? 'PORTMAP' : 'RPCBIND';
}

function classify(ev: RpcEvent, call: RpcCall): Classified | null {
  const { prog, vers, proc } = call;
  const args = ev.args;
  if (prog === PORTMAP_PROG) {
    if (proc === 0) return { kind: 'portmap-null', asked: `${rpcbName(vers)} v${vers} NULL` };
    if (vers === 2 && proc === 3) {
      const m = args as Mapping | undefined;
      if (!m || (m.prog !== MOUNT_PROG && m.prog !== NFS_PROG)) return null;
      const t = protTransport(m.prot);
      return {
        kind: m.prog === MOUNT_PROG ? 'lookup-mount' : 'lookup-nfs',
        asked: `PORTMAP v2 GETPORT ${progLabel(m.prog)} v${m.vers} proto ${t ? t.toUpperCase() : m.prot}`,
        lookupVers: m.vers,
        lookupTransport: t,
      };
    }
    if ((vers === 3 || vers === 4) && (proc === 3 || (vers === 4 && proc === 9))) {
      const r = args as Rpcb | undefined;
      if (!r || (r.r_prog !== MOUNT_PROG && r.r_prog !== NFS_PROG)) return null;
      const name = proc === 3 ? 'GETADDR' : 'GETVERSADDR';
      return {
        kind: r.r_prog === MOUNT_PROG ? 'lookup-mount' : 'lookup-nfs',
        asked: `RPCBIND v${vers} ${name} ${progLabel(r.r_prog)} v${r.r_vers} netid ${r.r_netid || '(none)'}`,
        lookupVers: r.r_vers,
        // rpcbind answers for the transport the request came in on when the netid says nothing usable
        lookupTransport: netidTransport(r.r_netid) ?? ev.record.transport,
      };
    }
    return null;
  }
  if (prog === MOUNT_PROG) {
    const procName = MOUNT_PROC_NAMES[proc] ?? `procedure ${proc}`;
    const base = `MOUNT v${vers} ${procName}`;
    if (proc === 0) return { kind: 'mount-null', asked: base };
    if (proc === 1 || proc === 3) {
      const dirpath = (args as { dirpath?: unknown } | undefined)?.dirpath;
      const path = typeof dirpath === 'string' ? dirpath : undefined;
      const cred = call.cred;
      const who = cred.unix ? `${cred.flavorName} uid ${cred.unix.uid}` : cred.flavorName;
      return {
        kind: proc === 1 ? 'mnt' : 'umnt',
        asked: `${base} ${path !== undefined ? clipPath(path) : '(path not decoded)'}${proc === 1 ? ` (${who})` : ''}`,
        dirpath: path,
        authFlavor: cred.flavor,
      };
    }
    if (proc === 5) return { kind: 'export', asked: base };
    return { kind: 'mount-other', asked: base };
  }
  if (prog === NFS_PROG) {
    if (proc === 0) return { kind: 'nfs-null', asked: `NFS v${vers} NULL` };
    if (vers !== 3) return null;
    const h = callHandle(args);
    if (!h) return null;
    const name = ev.procedureName ?? `procedure ${proc}`;
    return { kind: 'nfs-call', asked: `NFS v3 ${name} FH=${h.fh.hash}${h.name !== undefined ? ` ${h.name}` : ''}`, fhHex: h.fh.hex };
  }
  return null;
}

// ------------------------------------------------------------------------------------------------ reply texts

function lookupAnswer(st: StepState, ev: RpcEvent): { answered: string; ok: boolean; port: number } {
  if (st.proc === 3 && st.vers === 2) {
    const port = (ev.result as PortResult | undefined)?.port;
    if (port === undefined) return { answered: 'answer not decoded', ok: false, port: 0 };
    return port === 0 ? { answered: 'port 0: not registered', ok: false, port } : { answered: `port ${port}`, ok: true, port };
  }
  const u = ev.result as UaddrResult | undefined;
  if (!u) return { answered: 'answer not decoded', ok: false, port: 0 };
  if (u.uaddr === '') return { answered: 'empty address: not registered', ok: false, port: 0 };
  return u.port ? { answered: `${u.uaddr} (port ${u.port})`, ok: true, port: u.port } : { answered: `${u.uaddr} (no port)`, ok: false, port: 0 };
}

function exportsAnswer(e: Exports | undefined): string {
  if (!e) return 'OK';
  const list = e.entries.slice(0, 5).map((x) => `${x.ex_dir} (${x.ex_groups.length ? x.ex_groups.join(', ') : 'everyone'})`);
  const more = e.entries.length > 5 ? `, … ${e.entries.length - 5} more` : '';
  return `${e.entries.length}${e.incomplete ? '+' : ''} export(s): ${list.join(', ')}${more}`;
}

const FTYPE_WORDS: Record<string, string> = { NF3DIR: 'directory', NF3REG: 'regular file', NF3LNK: 'symlink' };

/** The reply of a step, in words, and whether the step succeeded. */
function replyState(st: StepState, ev: RpcEvent): ReplyState {
  const outcome = replyOutcome(ev);
  if (!outcome.executed) return { outcome, answered: outcomeWords(outcome), ok: false };
  if (isPartial(ev.result) && (st.kind === 'fsinfo' || st.kind === 'pathconf' || st.kind === 'getattr')) {
    // an NFSv3 reply cut short by the snaplen or lost bytes decodes to its status alone (partial-result.ts)
    const ok = outcome.status === 'NFS3_OK';
    return { outcome, answered: ok ? 'NFS3_OK (the rest of the reply was not captured)' : (outcome.status ?? 'answer not decoded'), ok };
  }
  switch (st.kind) {
    case 'lookup-mount':
    case 'lookup-nfs': {
      const l = lookupAnswer(st, ev);
      return { outcome, answered: l.answered, ok: l.ok, port: l.port };
    }
    case 'portmap-null':
    case 'mount-null':
    case 'nfs-null':
      return { outcome, answered: 'OK (an empty answer)', ok: true };
    case 'mnt': {
      if (st.vers === 3) {
        const r = ev.result as MountRes3 | undefined;
        const fh = r?.mountinfo?.fhandle;
        if (outcome.status === 'MNT3_OK' && fh) {
          const flavors = r?.mountinfo?.auth_flavors.map((f) => flavorName(f)).join(', ') || 'none listed';
          return { outcome, answered: `MNT3_OK: root handle FH=${fh.hash} (${fh.bytes.length} bytes), auth flavors ${flavors}`, ok: true, rootFh: fh.hex, rootFhHash: fh.hash };
        }
      } else if (st.vers === 1 || st.vers === 2) {
        const r = ev.result as FhStatus | undefined;
        if (r && r.fhs_status === 0 && r.fhandle) {
          return { outcome, answered: `OK: root handle FH=${r.fhandle.hash}`, ok: true, rootFh: r.fhandle.hex, rootFhHash: r.fhandle.hash };
        }
      }
      return { outcome, answered: outcome.status ?? 'answer not decoded', ok: false };
    }
    case 'export':
      return { outcome, answered: exportsAnswer(ev.result as Exports | undefined), ok: true };
    case 'umnt':
    case 'mount-other':
      return { outcome, answered: outcome.status ?? 'OK', ok: statusOk(outcome.status) };
    case 'fsinfo': {
      const r = ev.result as FSINFO3res | undefined;
      if (r && r.status === 'NFS3_OK') {
        return { outcome, answered: `NFS3_OK: rtmax ${r.rtmax}, wtmax ${r.wtmax}, dtpref ${r.dtpref}, maxfilesize ${r.maxfilesize.toString()}`, ok: true };
      }
      return { outcome, answered: outcome.status ?? 'answer not decoded', ok: false };
    }
    case 'pathconf': {
      const r = ev.result as PATHCONF3res | undefined;
      if (r && r.status === 'NFS3_OK') {
        return { outcome, answered: `NFS3_OK: name_max ${r.name_max}, linkmax ${r.linkmax}, case_insensitive ${r.case_insensitive}, case_preserving ${r.case_preserving}`, ok: true };
      }
      return { outcome, answered: outcome.status ?? 'answer not decoded', ok: false };
    }
    case 'getattr': {
      const r = ev.result as GETATTR3res | undefined;
      if (r && r.status === 'NFS3_OK') {
        const a = r.obj_attributes;
        return { outcome, answered: `NFS3_OK: ${FTYPE_WORDS[a.type] ?? a.type}, mode ${a.mode.toString(8).padStart(4, '0')}, uid ${a.uid}, gid ${a.gid}`, ok: true };
      }
      return { outcome, answered: outcome.status ?? 'answer not decoded', ok: false };
    }
    case 'first-use': {
      // the handle works unless the server says it does not know it
      const bad = outcome.status === 'NFS3ERR_STALE' || outcome.status === 'NFS3ERR_BADHANDLE' || outcome.status === 'NFS3ERR_SERVERFAULT';
      return { outcome, answered: outcome.status ?? 'OK', ok: !bad };
    }
  }
}

// ------------------------------------------------------------------------------------------------ teaching texts

function whyOf(st: StepState, a: AttemptState | null): string {
  const v = st.lookupVers ?? st.vers;
  switch (st.kind) {
    case 'portmap-null':
      return 'A ping of rpcbind (procedure 0 does nothing): the client checks that the portmapper answers before asking it anything.';
    case 'lookup-mount':
      return `MOUNT has no fixed port: the client asks rpcbind (port 111) which port serves MOUNT v${v} over ${upper(st.lookupTransport)}; port 0 or an empty address means it is not registered.`;
    case 'mount-null':
      return `A ping of mountd: procedure 0 does nothing, but its answer proves that MOUNT v${st.vers} is served at that port before the real request.`;
    case 'mnt':
      return 'MNT is the mount itself: mountd checks the client against the export\'s access list and returns the root file handle of the export, from which every NFS call starts, and the auth flavors it accepts.';
    case 'export':
      return 'The export list (EXPORT): not needed to mount; some clients (libnfs) ask for it to check the path.';
    case 'mount-other':
      return 'Another MOUNT procedure, not part of the mount itself.';
    case 'lookup-nfs':
      return `NFS usually listens on port 2049, but the client still asks rpcbind which port serves NFS v${v} over ${upper(st.lookupTransport)}.`;
    case 'nfs-null':
      return `A ping of the NFS server: proves that NFS v${st.vers} is served at that port before the first real call.`;
    case 'fsinfo':
      return 'FSINFO on the root handle: the server\'s limits (largest and preferred READ/WRITE sizes, largest file), from which the client picks rsize and wsize; also the first use of the handle MNT returned.';
    case 'pathconf':
      return 'PATHCONF on the root handle: the file name length limit and naming rules (case, truncation) of the exported file system.';
    case 'getattr':
      return 'GETATTR on the root handle: the attributes of the export\'s root directory (type, mode, owner), what the client shows as the mount point.';
    case 'first-use':
      return `The first NFS call on the root handle${a?.rootFhHash ? ` FH=${a.rootFhHash}` : ''} that MNT returned: its answer shows whether the NFS server accepts the handle.`;
    case 'umnt':
      return 'UMNT tells mountd that the client stopped using the export: bookkeeping for `showmount -a` only, since NFSv3 itself keeps no mount state.';
  }
}

function service(st: StepState): string {
  if (st.kind === 'lookup-mount' || st.kind === 'lookup-nfs' || st.kind === 'portmap-null') return `rpcbind on ${st.server}`;
  if (MOUNTD_KINDS.has(st.kind)) return `mountd on ${st.server}`;
  return `the NFS server ${st.server}`;
}

const AUTH_CAUSES: Record<string, string> = {
  AUTH_TOOWEAK: 'the security flavor is too weak for this export (it may require Kerberos, sec=krb5): use one of the flavors the export offers',
  AUTH_BADCRED: 'the credential is malformed or the server cannot read it (a bad AUTH_UNIX body, too many groups?)',
  AUTH_REJECTEDCRED: 'the server rejected the credential: the client must begin a new session (RPCSEC_GSS context expired?)',
  AUTH_BADVERF: 'the verifier is bad',
  AUTH_REJECTEDVERF: 'the verifier was rejected (expired or replayed)',
  AUTH_FAILED: 'authentication failed for an unknown reason',
  AUTH_INVALIDRESP: 'the server found the response verifier invalid',
  RPCSEC_GSS_CREDPROBLEM: 'the Kerberos credentials are not valid (expired ticket?)',
  RPCSEC_GSS_CTXPROBLEM: 'the GSS context is not valid (the server lost it?)',
};

const MNT_CAUSES: Record<string, string> = {
  MNT3ERR_ACCES:
    'the server refuses this client access to the path: it is not exported, or not to this client\'s address (check the export\'s client list). nfs-ganesha also answers ACCES for a path that is not exported at all.',
  MNT3ERR_NOENT: 'the path does not exist on the server.',
  MNT3ERR_PERM: 'not permitted: the server may want a privileged (< 1024) source port (the `secure` export option) or root.',
  MNT3ERR_NOTDIR: 'the path is not a directory.',
  MNT3ERR_INVAL: 'the server found the request invalid (a malformed path?).',
  MNT3ERR_NAMETOOLONG: 'the path is longer than the server accepts (MNTPATHLEN is 1024 bytes).',
  MNT3ERR_NOTSUPP: 'the server does not support this operation for the export.',
  MNT3ERR_SERVERFAULT: 'the server failed internally: see its log.',
  MNT3ERR_IO: 'the server had an I/O error reading the export.',
};

const NFS_CAUSES: Record<string, string> = {
  NFS3ERR_STALE: 'the NFS server does not recognise the root handle MNT just returned: the export changed, or mountd and nfsd disagree (one was restarted?).',
  NFS3ERR_BADHANDLE: 'the NFS server cannot parse the handle mountd issued: mountd and nfsd do not belong together?',
  NFS3ERR_ACCES: 'the NFS server refuses this client or user on the export (uid mapping, root squash, export options).',
  NFS3ERR_PERM: 'not permitted for this user on the export.',
  NFS3ERR_SERVERFAULT: 'the NFS server failed internally: see its log.',
  NFS3ERR_JUKEBOX: 'the server is busy (data offline, JUKEBOX): the client should retry later.',
};

/** Why a step failed, in a sentence. */
function causeOf(st: StepState, a: AttemptState): string {
  const r = st.reply;
  const svc = service(st);
  const what = st.kind === 'lookup-mount' || st.kind === 'lookup-nfs' ? 'rpcbind' : MOUNTD_KINDS.has(st.kind) ? 'MOUNT' : 'NFS';
  if (!r) {
    const n = st.frames.length;
    const tries = n > 1 ? ` (${n} transmissions over ${upper(st.transport)})` : ` (over ${upper(st.transport)})`;
    const pending = st.tx.state === 'pending' ? ' yet' : '';
    return `No reply${pending} from ${svc}${tries}: it is not running or not listening there, a firewall drops the packets, or they were lost${st.transport === 'udp' ? ' (UDP)' : ''}.`;
  }
  const o = r.outcome;
  if (!o.executed) {
    const prog = MOUNTD_KINDS.has(st.kind) ? 'MOUNT' : NFSD_KINDS.has(st.kind) ? 'NFS' : 'PORTMAP/RPCBIND';
    switch (o.rpcStatus) {
      case 'PROG_UNAVAIL':
        return `PROG_UNAVAIL: the process answering at ${st.server} port ${portOf(st, a)} does not serve ${prog}: a stale rpcbind registration (the service restarted on another port?) or the wrong port.`;
      case 'PROG_MISMATCH': {
        const m = o.mismatch;
        if (!m) return `PROG_MISMATCH: the server does not offer ${prog} version ${st.vers}.`;
        const opt = prog === 'MOUNT' ? 'mountvers' : 'vers';
        const hint =
          st.vers > m.high || st.vers < m.low
            ? ` (use a version it offers, e.g. ${opt}=${m.high})`
            : ` (the range has a gap: version ${st.vers} itself is not served${prog === 'MOUNT' ? '; nfs-ganesha, for one, serves MOUNT v1 and v3 but not v2' : ''}; try ${opt}=${m.high})`;
        return `PROG_MISMATCH: the server's ${prog} program offers versions ${m.low} to ${m.high}; the client asked for version ${st.vers}${hint}.`;
      }
      case 'PROC_UNAVAIL':
        return `PROC_UNAVAIL: the server's ${prog} v${st.vers} does not implement this procedure (the version is only partly served).`;
      case 'GARBAGE_ARGS':
        return 'GARBAGE_ARGS: the server could not decode the arguments (a path longer than it accepts? a client bug?).';
      case 'SYSTEM_ERR':
        return 'SYSTEM_ERR: the server failed internally (out of memory?): see its log.';
      case 'AUTH_ERROR':
        return `AUTH_ERROR (${o.authStat ?? '?'}): ${AUTH_CAUSES[o.authStat ?? ''] ?? 'the server rejected the credentials'}.`;
      case 'RPC_MISMATCH':
        return `RPC_MISMATCH: the server does not speak ONC RPC version 2${o.mismatch ? ` (it has ${o.mismatch.low}-${o.mismatch.high})` : ''}.`;
      default:
        return `${o.rpcStatus}: the server did not run the call.`;
    }
  }
  switch (st.kind) {
    case 'lookup-mount':
    case 'lookup-nfs': {
      const prog = st.kind === 'lookup-mount' ? 'MOUNT' : 'NFS';
      const daemon = st.kind === 'lookup-mount' ? 'mountd' : 'the NFS server';
      return `${prog} v${st.lookupVers ?? '?'} is not registered with rpcbind on ${st.server} for ${upper(st.lookupTransport)}: ${daemon} is not running or has not registered (\`rpcinfo -p ${st.server}\` lists what is), so the client cannot find it.`;
    }
    case 'mnt':
      return `${o.status ?? 'MNT failed'}: ${MNT_CAUSES[o.status ?? ''] ?? 'mountd refused the mount.'}`;
    default:
      return `${o.status ?? 'failed'}: ${NFS_CAUSES[o.status ?? ''] ?? `${what} refused the call.`}`;
  }
}

/** The server port a step's call went to (the lookup's answer for the program, when known). */
function portOf(st: StepState, a: AttemptState): string {
  const lookupKind = MOUNTD_KINDS.has(st.kind) ? 'lookup-mount' : 'lookup-nfs';
  for (let i = a.steps.length - 1; i >= 0; i--) {
    const s = a.steps[i];
    if (s.kind === lookupKind && s.reply?.port) return String(s.reply.port);
  }
  return '(unknown)';
}

// ------------------------------------------------------------------------------------------------ the analyzer

export class ExplainAnalyzer {
  private readonly convs = new Map<string, ConvState>();
  /** Steps by transaction id, to attach replies and retransmissions. */
  private readonly byTx = new Map<number, StepState>();
  /** Steps by call frame, for TCP retransmissions on a new connection (a new transaction, `retransmitOf`). */
  private readonly byCallFrame = new Map<number, StepState>();
  private dropped = 0;

  /** Feed every event of the pipeline, in order (frame events are ignored). */
  add(ev: PipelineEvent): void {
    if (!isRpcEvent(ev) || !ev.tx) return;
    if (ev.msg.type === 'call') this.onCall(ev, ev.msg);
    else this.onReply(ev);
  }

  private conv(client: string, server: string): ConvState {
    const key = `${client}|${server}`;
    let c = this.convs.get(key);
    if (!c) {
      c = { client, server, attempts: [], open: [], prelude: [], pings: [], leftovers: [] };
      this.convs.set(key, c);
    }
    return c;
  }

  private onCall(ev: RpcEvent, call: RpcCall): void {
    const tx = ev.tx as Transaction;
    if (ev.flags.includes('retransmit')) {
      const st = this.byTx.get(tx.id) ?? (ev.retransmitOf !== null ? this.byCallFrame.get(ev.retransmitOf) : undefined);
      if (st) {
        st.frames.push(ev.record.frameNo);
        if (st.tx !== tx) {
          // a TCP resend on a new connection: the reply will come on the new transaction
          st.tx = tx;
          this.byTx.set(tx.id, st);
        }
      }
      return;
    }
    const c = classify(ev, call);
    if (!c) return;
    if (this.byTx.size >= MAX_STEPS) {
      this.dropped++;
      return;
    }
    const client = ev.record.src;
    const server = ev.record.dst;
    const now = tsSeconds(ev.record.ts);
    const conv = this.conv(client, server);
    this.expire(conv, now);
    const st: StepState = {
      kind: c.kind === 'nfs-call' ? 'first-use' : c.kind,
      tx,
      client,
      server,
      transport: ev.record.transport,
      callFrame: ev.record.frameNo,
      frames: [ev.record.frameNo],
      callTs: now,
      callStamp: ev.record.ts,
      replyFrame: null,
      replyTs: null,
      vers: call.vers,
      proc: call.proc,
      asked: c.asked,
      lookupVers: c.lookupVers,
      lookupTransport: c.lookupTransport,
      dirpath: c.dirpath,
      fhHex: c.fhHex,
      authFlavor: c.authFlavor,
      reply: null,
      attempt: null,
    };
    let cur = this.current(conv);
    if (cur && cur.hasMnt && cur.steps.some((s) => s.kind === 'mnt' && s.tx.state === 'unanswered')) {
      // an unanswered MNT ends the attempt
      cur.closed = true;
      cur = null;
    }
    switch (c.kind) {
      case 'portmap-null':
        this.track(st);
        conv.pings.push(st);
        return;
      case 'lookup-mount':
        if (cur && !cur.hasMnt && !this.lookupStartsNew(cur, st)) this.append(conv, cur, st);
        else this.newAttempt(conv, st);
        return;
      case 'mount-null':
        if (cur && !cur.hasMnt) this.append(conv, cur, st);
        else this.newAttempt(conv, st);
        return;
      case 'mount-other':
        // DUMP, UMNTALL, ... after a MNT are asides of the same client (libnfs, showmount): they do not end it
        if (cur) this.append(conv, cur, st);
        else this.newAttempt(conv, st);
        return;
      case 'export':
        if (cur && (!cur.hasMnt || !cur.steps.some((s) => s.kind === 'export'))) this.append(conv, cur, st);
        else this.newAttempt(conv, st);
        return;
      case 'mnt':
        if (cur && !cur.hasMnt && !this.mntStartsNew(cur, st)) this.append(conv, cur, st);
        else this.newAttempt(conv, st);
        return;
      case 'umnt': {
        for (let i = conv.attempts.length - 1; i >= 0; i--) {
          const a = conv.attempts[i];
          if (a.hasMnt && a.exportPath === st.dirpath && !a.steps.some((s) => s.kind === 'umnt')) {
            this.append(conv, a, st, false);
            return;
          }
        }
        return;
      }
      case 'lookup-nfs':
      case 'nfs-null':
        if (cur && this.wants(cur, st.kind)) this.append(conv, cur, st);
        else if (!cur) {
          this.track(st);
          conv.prelude.push(st);
        }
        return;
      case 'nfs-call': {
        const target = this.rootAttempt(conv, st.fhHex as string);
        if (target) {
          const kind = NFS3_ROOT_PROCS[call.proc];
          if (kind && this.wants(target, kind)) {
            st.kind = kind;
            this.append(conv, target, st);
          } else if (!target.steps.some((s) => ROOT_KINDS.has(s.kind))) {
            st.kind = 'first-use';
            this.append(conv, target, st);
            target.closed = true;
          } else {
            target.closed = true;
          }
          return;
        }
        // ordinary NFS traffic: the mount phase of attempts that already used their handle is over
        for (const a of conv.open) if (!a.closed && a.steps.some((s) => ROOT_KINDS.has(s.kind))) a.closed = true;
        return;
      }
    }
  }

  private onReply(ev: RpcEvent): void {
    const tx = ev.tx as Transaction;
    const st = this.byTx.get(tx.id);
    if (!st || st.reply || ev.flags.includes('duplicate_reply')) return;
    st.replyFrame = ev.record.frameNo;
    st.replyTs = tsSeconds(ev.record.ts);
    st.reply = replyState(st, ev);
    if (st.kind === 'mnt') {
      const a = st.attempt;
      if (a && st.reply.rootFh) {
        a.rootFh = st.reply.rootFh;
        a.rootFhHash = st.reply.rootFhHash ?? null;
      } else if (a) {
        // a refused MNT ends the attempt: what the client does next is something else
        a.closed = true;
      }
    }
  }

  private track(st: StepState): void {
    this.byTx.set(st.tx.id, st);
    this.byCallFrame.set(st.callFrame, st);
  }

  /** The conversation's open attempt, if any. */
  private current(conv: ConvState): AttemptState | null {
    const last = conv.attempts[conv.attempts.length - 1];
    return last && !last.closed ? last : null;
  }

  /** Closes attempts idle for IDLE_GAP seconds; prelude steps too old for any attempt become leftovers. */
  private expire(conv: ConvState, now: number): void {
    for (const a of conv.open) if (!a.closed && now - a.lastTs > IDLE_GAP) a.closed = true;
    if (conv.open.some((a) => a.closed)) conv.open = conv.open.filter((a) => !a.closed);
    while (conv.prelude.length && now - conv.prelude[0].callTs > PRELUDE_WINDOW) conv.leftovers.push(conv.prelude.shift() as StepState);
    while (conv.pings.length && now - conv.pings[0].callTs > PRELUDE_WINDOW) conv.pings.shift();
  }

  /** True when the attempt has no step of this kind yet, or its last one failed (a client asking again). */
  private wants(a: AttemptState, kind: StepKind): boolean {
    let last: StepState | null = null;
    for (const s of a.steps) if (s.kind === kind) last = s;
    return last === null || (last.reply !== null && !last.reply.ok) || (last.reply === null && last.tx.state !== 'pending');
  }

  /** A lookup of MOUNT in an attempt without MNT: the same attempt when it asks again what a previous lookup did
   *  not get answered (same version and transport), a new attempt otherwise. */
  private lookupStartsNew(cur: AttemptState, st: StepState): boolean {
    if (cur.steps.some((s) => MOUNTD_KINDS.has(s.kind))) return true;
    let last: StepState | null = null;
    for (const s of cur.steps) if (s.kind === 'lookup-mount') last = s;
    if (!last) return false;
    if (last.reply?.ok) return true;
    return last.lookupVers !== st.lookupVers || last.lookupTransport !== st.lookupTransport;
  }

  /** A MNT after MOUNT calls that the server refused (RPC level) with another version or transport: a new
   *  attempt (the client changed its mind); otherwise the MNT continues the attempt. */
  private mntStartsNew(cur: AttemptState, st: StepState): boolean {
    let last: StepState | null = null;
    for (const s of cur.steps) if (MOUNTD_KINDS.has(s.kind)) last = s;
    if (!last || !last.reply || last.reply.outcome.executed) return false;
    return last.vers !== st.vers || last.transport !== st.transport;
  }

  /** The open attempt whose MNT returned this root handle. */
  private rootAttempt(conv: ConvState, fhHex: string): AttemptState | null {
    for (let i = conv.open.length - 1; i >= 0; i--) {
      const a = conv.open[i];
      if (!a.closed && a.rootFh === fhHex) return a;
    }
    return null;
  }

  private append(conv: ConvState, a: AttemptState, st: StepState, takePrelude = true): void {
    this.track(st);
    if (takePrelude && (st.kind === 'lookup-mount' || st.kind === 'lookup-nfs')) {
      // rpcbind pings just before a lookup belong to its attempt (libnfs pings before each lookup)
      for (const p of conv.pings) {
        if (st.callTs - p.callTs > PING_WINDOW) continue;
        p.attempt = a;
        a.steps.push(p);
      }
    }
    conv.pings.length = 0;
    st.attempt = a;
    a.steps.push(st);
    a.lastTs = Math.max(a.lastTs, st.callTs);
    if (st.kind === 'mnt') {
      a.hasMnt = true;
      a.exportPath = st.dirpath ?? null;
    }
  }

  private newAttempt(conv: ConvState, st: StepState): void {
    const cur = this.current(conv);
    if (cur) cur.closed = true;
    const a: AttemptState = { client: conv.client, server: conv.server, steps: [], closed: false, lastTs: st.callTs, hasMnt: false, rootFh: null, rootFhHash: null, exportPath: null };
    conv.attempts.push(a);
    conv.open.push(a);
    // NFS lookups and pings made shortly before (Linux mount.nfs probes NFS first)
    for (const p of conv.prelude) {
      p.attempt = a;
      a.steps.push(p);
    }
    conv.prelude.length = 0;
    this.append(conv, a, st);
  }

  // ---------------------------------------------------------------------------------------------- report

  /** The report. Call after the pipeline's finish(), so that calls without a reply are known as such. */
  finish(): ExplainReport {
    const byClient = new Map<string, ClientExplain>();
    const clientOf = (client: string): ClientExplain => {
      let c = byClient.get(client);
      if (!c) {
        c = { client, attempts: [], other: [] };
        byClient.set(client, c);
      }
      return c;
    };
    const attemptsByClient = new Map<string, Array<{ a: AttemptState; r: MountAttempt }>>();
    for (const conv of this.convs.values()) {
      for (const run of runs([...conv.leftovers, ...conv.prelude])) clientOf(conv.client).other.push(otherFromSteps(conv, run));
      for (const a of conv.attempts) {
        const r = this.report(a);
        if (r === null) {
          clientOf(conv.client).other.push(otherFromSteps(conv, sortSteps(a.steps)));
          continue;
        }
        clientOf(conv.client);
        const list = attemptsByClient.get(conv.client) ?? [];
        list.push({ a, r });
        attemptsByClient.set(conv.client, list);
      }
    }
    for (const [client, list] of attemptsByClient) {
      list.sort((x, y) => x.r.firstFrame - y.r.firstFrame);
      list.forEach((x, i) => (x.r.attempt = i + 1));
      linkRetries(list);
      clientOf(client).attempts = list.map((x) => x.r);
    }
    const clients = [...byClient.values()].sort((x, y) => firstFrameOf(x) - firstFrameOf(y));
    for (const c of clients) c.other.sort((x, y) => (x.frames[0] ?? 0) - (y.frames[0] ?? 0));
    const all = clients.flatMap((c) => c.attempts);
    return {
      clients,
      totals: {
        attempts: all.length,
        mounted: all.filter((a) => a.verdict === 'mounted').length,
        failed: all.filter((a) => a.verdict === 'failed').length,
        incomplete: all.filter((a) => a.verdict === 'incomplete').length,
        other: clients.reduce((n, c) => n + c.other.length, 0),
      },
      dropped: this.dropped,
    };
  }

  /** One attempt as reported, or null when it is not a mount (MOUNT calls all answered, no MNT). */
  private report(a: AttemptState): MountAttempt | null {
    const states = sortSteps(a.steps);
    const steps: ExplainStep[] = states.map((s, i) => {
      const r = s.reply;
      const step: ExplainStep = {
        step: i + 1,
        kind: s.kind,
        frames: s.replyFrame !== null ? [...s.frames, s.replyFrame] : s.frames.slice(),
        callFrame: s.callFrame,
        replyFrame: s.replyFrame,
        transport: s.transport,
        asked: s.asked,
        answered: r ? r.answered : s.tx.state === 'pending' ? 'no reply yet' : 'no reply',
        rtt: r ? s.tx.rtt : null,
        ok: r ? r.ok : false,
        why: whyOf(s, a),
        optional: OPTIONAL_KINDS.has(s.kind),
        retransmissions: s.frames.length - 1,
      };
      if (!step.ok) step.cause = causeOf(s, a);
      return step;
    });
    const failing = failingStep(states);
    const mnt = states.find((s) => s.kind === 'mnt' && s.reply?.ok);
    const rootOk = states.some((s) => ROOT_KINDS.has(s.kind) && s.reply?.ok);
    const mountCalls = states.filter((s) => MOUNTD_KINDS.has(s.kind));
    if (!a.hasMnt && failing === null && mountCalls.length > 0) return null;

    let verdict: Verdict;
    let cause: string | null = null;
    if (failing !== null) {
      verdict = 'failed';
      cause = steps[failing].cause ?? null;
    } else if (mnt && rootOk) {
      verdict = 'mounted';
    } else if (mnt) {
      verdict = 'incomplete';
      cause = 'MNT returned the root handle, but no NFS call on it is in the capture: the capture ended, or the client only wanted the handle.';
    } else if (a.hasMnt) {
      verdict = 'incomplete';
      cause = 'The MNT reply is not in the capture.';
    } else {
      verdict = 'incomplete';
      const lookup = [...states].reverse().find((s) => s.kind === 'lookup-mount' && s.reply?.ok);
      cause = lookup
        ? `The client asked where MOUNT is (port ${lookup.reply?.port}) but made no MOUNT call in the capture: the connection was refused or filtered, the client gave up, or the capture ended.`
        : 'The sequence stops before MNT.';
    }

    const notes: string[] = [];
    states.forEach((s, i) => {
      if (i === failing || steps[i].ok || steps[i].optional) return;
      notes.push(`Step ${i + 1} (${s.asked}) failed (${steps[i].answered}), but the client went on.`);
    });
    if (verdict === 'mounted' && mnt?.authFlavor === 0) notes.push('The MNT call used AUTH_NONE and the server accepted it.');

    const frames = steps.flatMap((s) => s.frames);
    const firstTs = states[0].callTs;
    const lastTs = Math.max(...states.map((s) => s.replyTs ?? s.callTs));
    const mntState = states.find((s) => s.kind === 'mnt');
    const mountState = mntState ?? states.find((s) => MOUNTD_KINDS.has(s.kind));
    const mountLookup = states.find((s) => s.kind === 'lookup-mount');
    const nfsState = states.find((s) => NFSD_KINDS.has(s.kind));
    const nfsLookup = states.find((s) => s.kind === 'lookup-nfs');
    return {
      attempt: 0,
      client: a.client,
      server: a.server,
      export: mntState?.dirpath ?? null,
      mountVersion: mountState?.vers ?? mountLookup?.lookupVers ?? null,
      mountTransport: mountState?.transport ?? mountLookup?.lookupTransport ?? null,
      nfsTransport: nfsState?.transport ?? nfsLookup?.lookupTransport ?? null,
      rootFh: a.rootFh,
      rootFhHash: a.rootFhHash,
      firstFrame: Math.min(...frames),
      lastFrame: Math.max(...frames),
      start: formatEpoch(states[0].callStamp),
      duration: Math.max(0, lastTs - firstTs),
      steps,
      verdict,
      failedStep: failing === null ? null : failing + 1,
      cause,
      notes,
      retryOf: null,
      retriedBy: null,
      retryChange: null,
    };
  }
}

/** Steps split where PRELUDE_WINDOW seconds pass without one. */
function runs(steps: StepState[]): StepState[][] {
  const out: StepState[][] = [];
  for (const s of sortSteps(steps)) {
    const last = out[out.length - 1];
    if (last && s.callTs - last[last.length - 1].callTs <= PRELUDE_WINDOW) last.push(s);
    else out.push([s]);
  }
  return out;
}

function sortSteps(steps: StepState[]): StepState[] {
  return [...steps].sort((x, y) => x.callFrame - y.callFrame);
}

function firstFrameOf(c: ClientExplain): number {
  const f = [...c.attempts.map((a) => a.firstFrame), ...c.other.map((o) => o.frames[0] ?? Infinity)];
  return f.length ? Math.min(...f) : Infinity;
}

/** Which program a step talks to, for "a later call superseded this refusal". */
function group(kind: StepKind): string {
  if (kind === 'lookup-mount' || kind === 'lookup-nfs' || kind === 'portmap-null') return kind;
  if (MOUNTD_KINDS.has(kind)) return 'mountd';
  return 'nfsd';
}

/** Index of the failing step: the last required step that failed and that no later step superseded. */
function failingStep(states: StepState[]): number | null {
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i];
    if (OPTIONAL_KINDS.has(s.kind) || s.reply?.ok) continue;
    const later = states.slice(i + 1);
    // asked again and answered
    if (later.some((x) => x.kind === s.kind && x.reply?.ok)) continue;
    // refused or unanswered at the RPC level (a NULL ping of a wrong version, a lost datagram), then a call to the
    // same program ran: the client found its way
    const rpcLevel = !s.reply || !s.reply.outcome.executed;
    if (rpcLevel && s.kind !== 'mnt' && later.some((x) => group(x.kind) === group(s.kind) && x.reply?.outcome.executed && x.reply.ok)) continue;
    return i;
  }
  return null;
}

/** Marks consecutive attempts of a client to the same server, the first of which failed, as a retry. */
function linkRetries(list: Array<{ a: AttemptState; r: MountAttempt }>): void {
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1].r;
    const cur = list[i].r;
    if (prev.verdict !== 'failed' || prev.server !== cur.server) continue;
    const gap = Number(cur.start) - (Number(prev.start) + prev.duration);
    if (gap > RETRY_WINDOW) continue;
    const changes: string[] = [];
    if (prev.mountTransport && cur.mountTransport && prev.mountTransport !== cur.mountTransport) changes.push(`transport ${upper(prev.mountTransport)} → ${upper(cur.mountTransport)}`);
    if (prev.mountVersion !== null && cur.mountVersion !== null && prev.mountVersion !== cur.mountVersion) changes.push(`MOUNT v${prev.mountVersion} → v${cur.mountVersion}`);
    if (prev.export !== null && cur.export !== null && prev.export !== cur.export) changes.push(`export ${clipPath(prev.export)} → ${clipPath(cur.export)}`);
    cur.retryOf = prev.attempt;
    prev.retriedBy = cur.attempt;
    cur.retryChange = changes.length ? changes.join(', ') : 'nothing (the same request again)';
  }
}

function otherFromSteps(conv: ConvState, steps: StepState[]): OtherUse {
  const kinds = new Set(steps.map((s) => s.kind));
  const procs = steps.filter((s) => MOUNTD_KINDS.has(s.kind));
  let kind: OtherUse['kind'];
  let description: string;
  if (kinds.has('export')) {
    kind = 'export-list';
    description = 'the export list (MOUNT EXPORT), as `showmount -e` asks it';
  } else if (procs.some((s) => s.proc === 2)) {
    kind = 'mount-list';
    description = 'the mount list (MOUNT DUMP), as `showmount -a` asks it';
  } else if (kinds.has('mount-null') || kinds.has('nfs-null')) {
    kind = 'ping';
    const vers = [...new Set(steps.filter((s) => s.kind === 'mount-null' || s.kind === 'nfs-null').map((s) => `${s.kind === 'mount-null' ? 'MOUNT' : 'NFS'} v${s.vers}`))];
    description = `NULL pings of ${vers.join(', ')}, as \`rpcinfo\` makes them`;
  } else {
    kind = 'lookup';
    description = 'a lookup with rpcbind, with no mount after it';
  }
  return {
    client: conv.client,
    server: conv.server,
    kind,
    description,
    frames: steps.flatMap((s) => (s.replyFrame !== null ? [...s.frames, s.replyFrame] : s.frames)),
    steps: steps.map((s) => ({
      asked: s.asked,
      answered: s.reply ? s.reply.answered : 'no reply',
      callFrame: s.callFrame,
      replyFrame: s.replyFrame,
    })),
  };
}
