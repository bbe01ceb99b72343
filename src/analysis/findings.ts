/**
 * `--findings`: what an administrator should look at in a capture, each with a severity, a title, the frames that
 * show it and one line of advice.
 *
 * - unanswered calls, grouped by server and procedure (CALLIT/BCAST are silent on errors by design: low);
 * - retransmissions, per server and procedure;
 * - latency outliers per procedure: a reply slower than `outlierFloor` seconds and than `outlierFactor` × the
 *   procedure's median, or (with at least 100 samples) than its 99th percentile;
 * - error replies grouped by status (RPC level: PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS,
 *   SYSTEM_ERR, AUTH_ERROR, RPC_MISMATCH; program level: NFS3ERR_*, MNT3ERR_*) and, within a status, by path
 *   (the learned path of the call's file handle, through the caller's PathLookup, or the MNT path);
 * - stale handles (NFS3ERR_STALE, NFS3ERR_BADHANDLE), by path;
 * - lookups of programs that rpcbind does not know (GETPORT → port 0, GETADDR → empty address);
 * - AUTH_UNIX calls with uid 0 to MOUNT/NFS (root squashing is proven off when a file root creates comes back
 *   owned by uid 0), and AUTH_NONE accepted for MNT or NFS (or offered in MNT's flavor list);
 * - PORTMAP/RPCBIND DUMP, CALLIT/BCAST, INDIRECT and GETSTAT over UDP that were answered: the reflection and
 *   amplification pattern. Bytes are measured on the wire: the UDP payload lengths (the RPC messages, from the
 *   UDP/IP length fields), and the IP datagram lengths (IP header of each fragment + UDP header + payload) when
 *   the frame is at hand. Reported for loopback too, with whether the peer is remote (not a loopback address and
 *   not the server's own address);
 * - services disclosed: the registrations listed by PORTMAP/RPCBIND DUMP, the exports by MOUNT EXPORT, the
 *   clients by MOUNT DUMP.
 *
 * Input: RpcEvents in pipeline order (`add`), hold mode or not; `finish()` after the pipeline's own finish().
 * Memory is bounded: samples, paths and evidence frames are capped (the counts stay exact).
 */
import { dissectFrame } from '../format/layer-lines';
import type { Exports, MountList, MountRes3 } from '../programs/mount-xdr';
import type { CREATE3res } from '../programs/nfs3/types';
import type { Mapping, RpcbMap, UaddrResult, XdrList } from '../programs/portmap-xdr';
import { netidTransport, protTransport } from '../programs/universal-address';
import type { PortResult } from '../programs/portmap';
import type { RpcCall } from '../rpc/message';
import type { Transaction } from '../rpc/pairing';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../rpc/rpc-event';
import {
  callHandle,
  callPath,
  clipPath,
  fmtMs,
  isLoopback,
  MOUNT_PROG,
  NFS_PROG,
  PORTMAP_PROG,
  progLabel,
  replyOutcome,
  statusOk,
  tsSeconds,
  uniqueFrames,
  type PathLookup,
} from './event-facts';

export type Severity = 'high' | 'medium' | 'low' | 'info';

export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

export type FindingKind =
  | 'unanswered'
  | 'retransmissions'
  | 'latency-outliers'
  | 'error-replies'
  | 'stale-handles'
  | 'unregistered-lookups'
  | 'auth-unix-root'
  | 'auth-none'
  | 'udp-amplification'
  | 'service-disclosure';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  title: string;
  /** Frames that show it, sorted; at most `maxEvidence` of them (`evidenceCount` says how many in all). */
  evidence: number[];
  evidenceCount: number;
  /** One line: what to do or check. */
  advice: string;
  /** The facts behind the title (JSON-able), by kind; see the *Details interfaces. */
  details: Record<string, unknown>;
}

export interface FindingsReport {
  /** Most severe first, then by first evidence frame. */
  findings: Finding[];
  counts: Record<Severity, number>;
  /** What was analysed. */
  stats: { calls: number; replies: number; answered: number };
}

export interface FindingsOptions {
  /** Learned paths of file handles (hex → path), e.g. `(hex) => pipeline.names.path(hex)`; null: `FH=XXXX`. */
  pathOf: PathLookup | null;
  /** A reply slower than this many times the procedure's median is an outlier (with the floor). */
  outlierFactor: number;
  /** Seconds: no reply faster than this is an outlier. */
  outlierFloor: number;
  /** Procedures with fewer replies than this are not judged. */
  outlierMinSamples: number;
  /** Evidence frames kept per finding. */
  maxEvidence: number;
}

export const DEFAULT_FINDINGS: FindingsOptions = { pathOf: null, outlierFactor: 10, outlierFloor: 0.01, outlierMinSamples: 5, maxEvidence: 50 };

/** RTT samples kept per procedure, and in all. */
const MAX_SAMPLES_PER_PROC = 200_000;
const MAX_SAMPLES = 2_000_000;
/** Distinct paths kept per error status (the rest count under `(other paths)`). */
const MAX_PATHS = 1000;
/** Calls waiting for a reply that are remembered (beyond: counted, not listed). */
const MAX_PENDING = 200_000;

// ------------------------------------------------------------------------------------------------ details

export interface UnansweredDetails {
  server: string;
  procedure: string;
  calls: number;
  /** Calls whose last transmission came within the reply timeout of the end of the capture. */
  nearEnd: number;
}

export interface RetransmissionDetails {
  server: string;
  procedure: string;
  /** Calls sent more than once, and the extra transmissions. */
  calls: number;
  transmissions: number;
  /** All calls of the procedure to that server. */
  totalCalls: number;
  duplicateReplies: number;
}

export interface OutlierDetails {
  procedure: string;
  samples: number;
  median: number;
  p99: number;
  threshold: number;
  outliers: Array<{ callFrame: number; replyFrame: number; rtt: number }>;
}

export interface ErrorPathGroup {
  path: string;
  count: number;
  procedures: string[];
  frames: number[];
}

export interface ErrorDetails {
  status: string;
  count: number;
  /** Per path (the handle's learned path, `FH=XXXX` when unknown, the MNT path, or `(no path)`), most first. */
  paths: ErrorPathGroup[];
}

export interface LookupDetails {
  server: string;
  lookups: Array<{ program: string; prog: number; vers: number; transport: string; count: number; frames: number[] }>;
}

export interface RootDetails {
  client: string;
  server: string;
  machines: string[];
  calls: number;
  /** Files created by uid 0 and owned by uid 0 afterwards: root is not squashed. */
  notSquashed: Array<{ replyFrame: number; path: string; uid: number }>;
  /** Files created by uid 0 and owned by another uid: root is squashed to it. */
  squashedTo: number[];
}

export interface AuthNoneDetails {
  server: string;
  /** Calls with AUTH_NONE credentials that the server executed successfully. */
  accepted: Array<{ client: string; procedure: string; callFrame: number }>;
  /** MNT replies offering AUTH_NONE among the export's flavors. */
  offered: Array<{ export: string; replyFrame: number }>;
}

export interface AmplificationPeer {
  address: string;
  remote: boolean;
  pairs: number;
  bytesIn: number;
  bytesOut: number;
}

export interface AmplificationDetails {
  server: string;
  procedure: string;
  /** `udp-payload`: the RPC message lengths (UDP length - 8), the basis of `ratio`. */
  basis: 'udp-payload';
  pairs: number;
  bytesIn: number;
  bytesOut: number;
  ratio: number;
  maxRatio: number;
  /** IP datagram lengths of the same pairs (header of every fragment + UDP header + payload), when every frame
   *  was at hand; null otherwise. */
  ipBytesIn: number | null;
  ipBytesOut: number | null;
  ipRatio: number | null;
  remotePeer: boolean;
  peers: AmplificationPeer[];
  /** Calls of the kind that got no reply (CALLIT/BCAST stay silent on errors). */
  unanswered: number;
}

export interface DisclosureDetails {
  server: string;
  source: string;
  peers: Array<{ address: string; remote: boolean }>;
  /** PORTMAP/RPCBIND DUMP: programs listed; MOUNT EXPORT: exports; MOUNT DUMP: mounts. */
  items: string[];
  itemCount: number;
}

// ------------------------------------------------------------------------------------------------ helpers

/** `NFS v3 WRITE`, `PORTMAP v2 CALLIT`, `MOUNT v3 procedure 17`. */
function procName(ev: RpcEvent | null, tx: Transaction): string {
  const prog = ev?.programName ?? progLabel(tx.prog);
  return `${prog} v${tx.vers} ${ev?.procedureName ?? `procedure ${tx.proc}`}`;
}

function median(sorted: Float64Array | number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

class Evidence {
  readonly frames: number[] = [];
  count = 0;

  constructor(private readonly max: number) {}

  add(...frames: number[]): void {
    for (const f of frames) {
      this.count++;
      if (this.frames.length < this.max * 4) this.frames.push(f);
    }
  }

  list(): number[] {
    return uniqueFrames(this.frames).slice(0, this.max);
  }
}

const PMAP_AMPLIFIERS: Record<number, Record<number, string>> = {
  2: { 4: 'DUMP', 5: 'CALLIT' },
  3: { 4: 'DUMP', 5: 'CALLIT' },
  4: { 4: 'DUMP', 5: 'BCAST', 10: 'INDIRECT', 12: 'GETSTAT' },
};

const SEVERITY_BY_STATUS: Record<string, Severity> = {
  AUTH_ERROR: 'medium',
  GARBAGE_ARGS: 'medium',
  SYSTEM_ERR: 'medium',
  RPC_MISMATCH: 'low',
  PROG_UNAVAIL: 'low',
  PROG_MISMATCH: 'low',
  PROC_UNAVAIL: 'low',
  NFS3ERR_IO: 'medium',
  NFS3ERR_SERVERFAULT: 'medium',
  NFS3ERR_NOSPC: 'medium',
  NFS3ERR_DQUOT: 'medium',
  NFS3ERR_ROFS: 'low',
  NFS3ERR_ACCES: 'low',
  NFS3ERR_PERM: 'low',
  NFS3ERR_JUKEBOX: 'low',
  MNT3ERR_ACCES: 'low',
  MNT3ERR_PERM: 'low',
  MNT3ERR_NOENT: 'low',
  MNT3ERR_IO: 'medium',
  MNT3ERR_SERVERFAULT: 'medium',
};

const ADVICE_BY_STATUS: Record<string, string> = {
  AUTH_ERROR: 'The server rejected the credentials: compare the client\'s security flavor with the export\'s (sec=), and check Kerberos tickets for RPCSEC_GSS.',
  GARBAGE_ARGS: 'The server could not decode the arguments: a client bug, a path or name over the server\'s limits, or a mangled packet.',
  SYSTEM_ERR: 'The server failed internally: read its log (memory, file descriptors).',
  RPC_MISMATCH: 'The server does not speak ONC RPC version 2: a non-RPC service on that port?',
  PROG_UNAVAIL: 'Nothing serves that program at that port: a stale rpcbind registration, or a client talking to the wrong port.',
  PROG_MISMATCH: 'The client asked for a version the server does not offer (the reply says which it does): set the version explicitly (vers=, mountvers=).',
  PROC_UNAVAIL: 'The server does not implement that procedure in that version: normal for probes, otherwise a client/server mismatch.',
  NFS3ERR_IO: 'The server had an I/O error on its storage: check its disks and logs.',
  NFS3ERR_SERVERFAULT: 'The server failed internally: read its log.',
  NFS3ERR_NOSPC: 'The exported file system is full.',
  NFS3ERR_DQUOT: 'A user is over quota on the export.',
  NFS3ERR_ROFS: 'Writes to a read-only export: mount it read-only, or export it rw.',
  NFS3ERR_ACCES: 'Permission denied on these paths: check the modes and owners, uid mapping and root squashing.',
  NFS3ERR_PERM: 'Not the owner (or not root): check uid mapping and root squashing.',
  NFS3ERR_JUKEBOX: 'The server asked the client to retry later (data offline, delegation recall): frequent ones mean a slow back end.',
  MNT3ERR_ACCES: 'Mounts refused: the path is not exported to this client (check the export\'s client list), or not exported at all.',
  MNT3ERR_PERM: 'Mounts refused as not permitted: a privileged source port may be required (the secure option).',
  MNT3ERR_NOENT: 'Mounts of paths that do not exist on the server.',
  MNT3ERR_IO: 'The server had an I/O error while mounting: check its storage.',
  MNT3ERR_SERVERFAULT: 'mountd failed internally: read its log.',
};

/** Ordinary outcomes of working applications (a LOOKUP of a missing name, a MKDIR of an existing one). */
function errorSeverity(status: string): Severity {
  return SEVERITY_BY_STATUS[status] ?? 'info';
}

function errorAdvice(status: string): string {
  return ADVICE_BY_STATUS[status] ?? 'Usually the ordinary answer to what the application asked (a missing name, an existing directory); look at the paths if it is unexpected.';
}

// ------------------------------------------------------------------------------------------------ state

interface PendingCall {
  tx: Transaction;
  server: string;
  procedure: string;
  prog: number;
  proc: number;
  vers: number;
  frames: number[];
}

interface ErrorGroup {
  status: string;
  count: number;
  evidence: Evidence;
  paths: Map<string, { count: number; procedures: Set<string>; frames: number[] }>;
}

interface AmpCall {
  bytesIn: number;
  ipIn: number | null;
  peer: string;
}

interface AmpGroup {
  server: string;
  procedure: string;
  pairs: number;
  bytesIn: number;
  bytesOut: number;
  ipIn: number;
  ipOut: number;
  ipKnown: boolean;
  maxRatio: number;
  peers: Map<string, AmplificationPeer>;
  evidence: Evidence;
  calls: number;
  answered: number;
}

interface DisclosureGroup {
  server: string;
  source: string;
  peers: Map<string, boolean>;
  items: string[];
  itemCount: number;
  evidence: Evidence;
}

interface RootGroup {
  client: string;
  server: string;
  machines: Set<string>;
  calls: number;
  evidence: Evidence;
  notSquashed: Array<{ replyFrame: number; path: string; uid: number }>;
  squashedTo: Set<number>;
}

const CREATE_PROCS: ReadonlySet<number> = new Set([8, 9, 10, 11]);

export class FindingsAnalyzer {
  private readonly opts: FindingsOptions;
  private calls = 0;
  private replies = 0;
  private answered = 0;
  private lastTs = 0;
  /** Calls not yet answered, by transaction id. */
  private readonly pending = new Map<number, PendingCall>();
  private pendingOverflow = 0;
  /** Original call frame → the transaction of its TCP resend on a new connection. */
  private readonly resentAs = new Map<number, Transaction>();
  private readonly retrans = new Map<string, { server: string; procedure: string; calls: Set<number>; transmissions: number; total: number; dup: number; evidence: Evidence }>();
  private readonly callsPerProc = new Map<string, number>();
  private readonly rtts = new Map<string, { procedure: string; rtt: number[]; frames: number[] }>();
  private samples = 0;
  private readonly errors = new Map<string, ErrorGroup>();
  private readonly stale = new Map<string, ErrorGroup>();
  private readonly lookups = new Map<string, { server: string; entries: Map<string, { program: string; prog: number; vers: number; transport: string; count: number; frames: number[] }>; evidence: Evidence }>();
  private readonly roots = new Map<string, RootGroup>();
  private readonly authNone = new Map<string, { server: string; accepted: AuthNoneDetails['accepted']; offered: AuthNoneDetails['offered']; evidence: Evidence }>();
  private readonly ampCalls = new Map<number, AmpCall>();
  private readonly amps = new Map<string, AmpGroup>();
  private readonly disclosures = new Map<string, DisclosureGroup>();
  /** uid of the calls of the creating procedures made as root, by transaction id, until their reply. */
  private readonly createCreds = new Map<number, number>();
  /** MNT and NFS calls with AUTH_NONE credentials, by transaction id, until their reply. */
  private readonly noneCalls = new Map<number, { client: string; procedure: string; callFrame: number }>();

  constructor(opts: Partial<FindingsOptions> = {}) {
    this.opts = { ...DEFAULT_FINDINGS, ...opts };
  }

  /** Feed every event of the pipeline, in order (frame events are ignored). */
  add(ev: PipelineEvent): void {
    if (!isRpcEvent(ev)) return;
    this.lastTs = Math.max(this.lastTs, tsSeconds(ev.record.ts));
    if (ev.msg.type === 'call') {
      this.calls++;
      if (ev.tx) this.onCall(ev, ev.msg, ev.tx);
    } else {
      this.replies++;
      if (ev.tx) this.onReply(ev, ev.tx);
    }
  }

  private server(ev: RpcEvent): string {
    return ev.msg.type === 'call' ? ev.record.dst : ev.record.src;
  }

  private client(ev: RpcEvent): string {
    return ev.msg.type === 'call' ? ev.record.src : ev.record.dst;
  }

  // ---------------------------------------------------------------------------------------------- calls

  private onCall(ev: RpcEvent, call: RpcCall, tx: Transaction): void {
    const server = this.server(ev);
    const procedure = procName(ev, tx);
    const key = `${server}|${procedure}`;
    const retransmit = ev.flags.includes('retransmit');
    if (retransmit) {
      let r = this.retrans.get(key);
      if (!r) {
        r = { server, procedure, calls: new Set(), transmissions: 0, total: 0, dup: 0, evidence: new Evidence(this.opts.maxEvidence) };
        this.retrans.set(key, r);
      }
      r.calls.add(ev.retransmitOf ?? tx.callFrame);
      r.transmissions++;
      r.evidence.add(ev.record.frameNo);
      if (ev.retransmitOf !== null && tx.callFrame === ev.record.frameNo) this.resentAs.set(ev.retransmitOf, tx);
      const p = this.pending.get(tx.id);
      if (p) p.frames.push(ev.record.frameNo);
      if (tx.callFrame !== ev.record.frameNo) return; // the same transaction: counted once
    }
    this.callsPerProc.set(key, (this.callsPerProc.get(key) ?? 0) + 1);
    if (tx.state !== 'answered') {
      if (this.pending.size < MAX_PENDING) {
        this.pending.set(tx.id, { tx, server, procedure, prog: call.prog, vers: call.vers, proc: call.proc, frames: [ev.record.frameNo] });
      } else {
        this.pendingOverflow++;
      }
    }

    // credentials
    if (call.prog === NFS_PROG || call.prog === MOUNT_PROG) {
      const unix = call.cred.unix;
      if (unix && unix.uid === 0) {
        const client = this.client(ev);
        const rk = `${client}|${server}`;
        let g = this.roots.get(rk);
        if (!g) {
          g = { client, server, machines: new Set(), calls: 0, evidence: new Evidence(this.opts.maxEvidence), notSquashed: [], squashedTo: new Set() };
          this.roots.set(rk, g);
        }
        g.calls++;
        if (g.machines.size < 20) g.machines.add(unix.machine);
        g.evidence.add(ev.record.frameNo);
        if (call.prog === NFS_PROG && call.vers === 3 && CREATE_PROCS.has(call.proc) && this.createCreds.size < MAX_PENDING) this.createCreds.set(tx.id, 0);
      }
      const mnt = call.prog === MOUNT_PROG && call.proc === 1;
      const nfs = call.prog === NFS_PROG && call.proc !== 0;
      if (call.cred.flavor === 0 && (mnt || nfs) && this.noneCalls.size < MAX_PENDING) {
        this.noneCalls.set(tx.id, { client: this.client(ev), procedure, callFrame: ev.record.frameNo });
      }
    }

    // UDP reflection / amplification
    if (call.prog === PORTMAP_PROG && ev.record.transport === 'udp') {
      const name = PMAP_AMPLIFIERS[call.vers]?.[call.proc];
      if (name) {
        const g = this.ampGroup(server, procedure);
        g.calls++;
        if (this.ampCalls.size < MAX_PENDING) this.ampCalls.set(tx.id, { bytesIn: ev.record.length, ipIn: ipBytes(ev), peer: ev.record.src });
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- replies

  private onReply(ev: RpcEvent, tx: Transaction): void {
    if (ev.flags.includes('duplicate_reply')) {
      const r = this.retrans.get(`${this.server(ev)}|${procName(ev, tx)}`);
      if (r) r.dup++;
      return;
    }
    this.answered++;
    this.pending.delete(tx.id);
    if (tx.rtt !== null) this.sample(ev, tx);
    const server = this.server(ev);
    const o = replyOutcome(ev);
    const procedure = procName(ev, tx);

    // errors and stale handles
    if (!o.executed || !statusOk(o.status)) {
      const status = o.executed ? (o.status as string) : o.rpcStatus === 'AUTH_ERROR' ? 'AUTH_ERROR' : o.rpcStatus;
      const stale = status === 'NFS3ERR_STALE' || status === 'NFS3ERR_BADHANDLE';
      const map = stale ? this.stale : this.errors;
      const label = o.rpcStatus === 'AUTH_ERROR' ? `AUTH_ERROR (${o.authStat ?? '?'})` : status;
      let g = map.get(label);
      if (!g) {
        g = { status: label, count: 0, evidence: new Evidence(this.opts.maxEvidence), paths: new Map() };
        map.set(label, g);
      }
      g.count++;
      g.evidence.add(tx.callFrame, ev.record.frameNo);
      const path = this.pathOfCall(tx);
      const key = g.paths.has(path) || g.paths.size < MAX_PATHS ? path : '(other paths)';
      let p = g.paths.get(key);
      if (!p) {
        p = { count: 0, procedures: new Set(), frames: [] };
        g.paths.set(key, p);
      }
      p.count++;
      p.procedures.add(procedure);
      if (p.frames.length < 20) p.frames.push(tx.callFrame, ev.record.frameNo);
    }

    if (o.executed) {
      this.lookupResult(ev, tx, server);
      this.creationResult(ev, tx);
      this.authNoneResult(ev, tx, server);
      this.disclosureResult(ev, tx, server);
    }

    // amplification: every answered call of the kind
    const amp = this.ampCalls.get(tx.id);
    if (amp) {
      this.ampCalls.delete(tx.id);
      const g = this.ampGroup(server, procedure);
      const out = ev.record.length;
      const ipOut = ipBytes(ev);
      g.answered++;
      g.pairs++;
      g.bytesIn += amp.bytesIn;
      g.bytesOut += out;
      if (amp.ipIn === null || ipOut === null) g.ipKnown = false;
      else {
        g.ipIn += amp.ipIn;
        g.ipOut += ipOut;
      }
      if (amp.bytesIn > 0) g.maxRatio = Math.max(g.maxRatio, out / amp.bytesIn);
      let peer = g.peers.get(amp.peer);
      if (!peer) {
        peer = { address: amp.peer, remote: isRemote(amp.peer, server), pairs: 0, bytesIn: 0, bytesOut: 0 };
        g.peers.set(amp.peer, peer);
      }
      peer.pairs++;
      peer.bytesIn += amp.bytesIn;
      peer.bytesOut += out;
      g.evidence.add(tx.callFrame, ev.record.frameNo);
    }
  }

  private sample(ev: RpcEvent, tx: Transaction): void {
    if (this.samples >= MAX_SAMPLES) return;
    const procedure = procName(ev, tx);
    let s = this.rtts.get(procedure);
    if (!s) {
      s = { procedure, rtt: [], frames: [] };
      this.rtts.set(procedure, s);
    }
    if (s.rtt.length >= MAX_SAMPLES_PER_PROC) return;
    s.rtt.push(tx.rtt as number);
    s.frames.push(tx.callFrame, ev.record.frameNo);
    this.samples++;
  }

  /** The path a call was about: its handle's learned path (plus the name), or MNT's path. */
  private pathOfCall(tx: Transaction): string {
    const args = tx.args;
    if (tx.prog === MOUNT_PROG) {
      const d = (args as { dirpath?: unknown } | undefined)?.dirpath;
      if (typeof d === 'string') return d;
    }
    const h = callHandle(args);
    return h ? callPath(h, this.opts.pathOf) : '(no path)';
  }

  private lookupResult(ev: RpcEvent, tx: Transaction, server: string): void {
    if (tx.prog !== PORTMAP_PROG) return;
    let prog: number;
    let vers: number;
    let transport: string;
    if (tx.vers === 2 && tx.proc === 3) {
      const m = tx.args as Mapping | undefined;
      const r = ev.result as PortResult | undefined;
      if (!m || !r || r.port !== 0) return;
      prog = m.prog;
      vers = m.vers;
      transport = protTransport(m.prot) ?? `proto ${m.prot}`;
    } else if ((tx.vers === 3 || tx.vers === 4) && (tx.proc === 3 || (tx.vers === 4 && tx.proc === 9))) {
      const a = tx.args as { r_prog: number; r_vers: number; r_netid: string } | undefined;
      const r = ev.result as UaddrResult | undefined;
      if (!a || !r || r.uaddr !== '') return;
      prog = a.r_prog;
      vers = a.r_vers;
      transport = netidTransport(a.r_netid) ?? (a.r_netid || ev.record.transport);
    } else {
      return;
    }
    let g = this.lookups.get(server);
    if (!g) {
      g = { server, entries: new Map(), evidence: new Evidence(this.opts.maxEvidence) };
      this.lookups.set(server, g);
    }
    const key = `${prog}|${vers}|${transport}`;
    let e = g.entries.get(key);
    if (!e) {
      e = { program: progLabel(prog), prog, vers, transport, count: 0, frames: [] };
      g.entries.set(key, e);
    }
    e.count++;
    if (e.frames.length < 20) e.frames.push(tx.callFrame, ev.record.frameNo);
    g.evidence.add(tx.callFrame, ev.record.frameNo);
  }

  /** CREATE/MKDIR/SYMLINK/MKNOD by uid 0: who owns the new object tells whether root is squashed. */
  private creationResult(ev: RpcEvent, tx: Transaction): void {
    if (tx.prog !== NFS_PROG || tx.vers !== 3 || !CREATE_PROCS.has(tx.proc)) return;
    const uid0 = this.createCreds.get(tx.id) === 0;
    this.createCreds.delete(tx.id);
    if (!uid0) return;
    const g = this.roots.get(`${ev.record.dst}|${ev.record.src}`);
    if (!g) return;
    const r = ev.result as CREATE3res | undefined;
    if (!r || r.status !== 'NFS3_OK' || !r.obj_attributes) return;
    const uid = r.obj_attributes.uid;
    if (uid === 0) {
      if (g.notSquashed.length < 20) {
        const h = callHandle(tx.args);
        g.notSquashed.push({ replyFrame: ev.record.frameNo, path: h ? callPath(h, this.opts.pathOf) : '(no path)', uid });
      }
    } else {
      g.squashedTo.add(uid);
    }
  }


  private authNoneResult(ev: RpcEvent, tx: Transaction, server: string): void {
    const none = this.noneCalls.get(tx.id);
    if (none) {
      this.noneCalls.delete(tx.id);
      if (statusOk(ev.status)) {
        const g = this.authNoneGroup(server);
        if (g.accepted.length < 50) g.accepted.push(none);
        g.evidence.add(none.callFrame, ev.record.frameNo);
      }
    }
    if (tx.prog === MOUNT_PROG && tx.proc === 1 && tx.vers === 3) {
      const r = ev.result as MountRes3 | undefined;
      if (r?.mountinfo?.auth_flavors.includes(0)) {
        const g = this.authNoneGroup(server);
        const d = (tx.args as { dirpath?: string } | undefined)?.dirpath ?? '?';
        if (g.offered.length < 50) g.offered.push({ export: d, replyFrame: ev.record.frameNo });
        g.evidence.add(ev.record.frameNo);
      }
    }
  }

  private authNoneGroup(server: string): { server: string; accepted: AuthNoneDetails['accepted']; offered: AuthNoneDetails['offered']; evidence: Evidence } {
    let g = this.authNone.get(server);
    if (!g) {
      g = { server, accepted: [], offered: [], evidence: new Evidence(this.opts.maxEvidence) };
      this.authNone.set(server, g);
    }
    return g;
  }

  private disclosureResult(ev: RpcEvent, tx: Transaction, server: string): void {
    let source: string | null = null;
    let items: string[] = [];
    let count = 0;
    if (tx.prog === PORTMAP_PROG && tx.proc === 4 && tx.vers >= 2 && tx.vers <= 4) {
      const list = ev.result as XdrList<Mapping | RpcbMap> | undefined;
      if (!list) return;
      source = `${tx.vers === 2 ? 'PORTMAP' : 'RPCBIND'} v${tx.vers} DUMP`;
      const programs = new Map<number, Set<string>>();
      for (const m of list.entries) {
        const prog = 'prog' in m ? m.prog : m.r_prog;
        const what = 'prog' in m ? `v${m.vers}/${protTransport(m.prot) ?? m.prot}` : `v${m.r_vers}/${m.r_netid}`;
        const s = programs.get(prog) ?? new Set<string>();
        s.add(what);
        programs.set(prog, s);
      }
      items = [...programs].map(([prog, s]) => `${progLabel(prog)} (${prog}) ${[...s].join(' ')}`);
      count = list.entries.length;
    } else if (tx.prog === MOUNT_PROG && tx.proc === 5) {
      const e = ev.result as Exports | undefined;
      if (!e) return;
      source = `MOUNT v${tx.vers} EXPORT`;
      items = e.entries.map((x) => `${x.ex_dir} (${x.ex_groups.length ? x.ex_groups.join(', ') : 'everyone'})`);
      count = e.entries.length;
    } else if (tx.prog === MOUNT_PROG && tx.proc === 2) {
      const m = ev.result as MountList | undefined;
      if (!m) return;
      source = `MOUNT v${tx.vers} DUMP`;
      items = m.entries.map((x) => `${x.ml_hostname}:${x.ml_directory}`);
      count = m.entries.length;
    } else {
      return;
    }
    const key = `${server}|${source}`;
    let g = this.disclosures.get(key);
    if (!g) {
      g = { server, source, peers: new Map(), items: [], itemCount: 0, evidence: new Evidence(this.opts.maxEvidence) };
      this.disclosures.set(key, g);
    }
    const client = ev.record.dst;
    g.peers.set(client, isRemote(client, server));
    // the latest answer is the most complete picture
    if (count >= g.itemCount) {
      g.items = items.slice(0, 200);
      g.itemCount = count;
    }
    g.evidence.add(tx.callFrame, ev.record.frameNo);
  }

  private ampGroup(server: string, procedure: string): AmpGroup {
    const key = `${server}|${procedure}`;
    let g = this.amps.get(key);
    if (!g) {
      g = {
        server,
        procedure,
        pairs: 0,
        bytesIn: 0,
        bytesOut: 0,
        ipIn: 0,
        ipOut: 0,
        ipKnown: true,
        maxRatio: 0,
        peers: new Map(),
        evidence: new Evidence(this.opts.maxEvidence),
        calls: 0,
        answered: 0,
      };
      this.amps.set(key, g);
    }
    return g;
  }

  // ---------------------------------------------------------------------------------------------- report

  /** The report. Call after the pipeline's finish(), so that calls without a reply are known as such. */
  finish(): FindingsReport {
    const out: Finding[] = [];
    const ev = (e: Evidence): { evidence: number[]; evidenceCount: number } => ({ evidence: e.list(), evidenceCount: e.count });
    const max = this.opts.maxEvidence;

    // unanswered
    const unanswered = new Map<string, { server: string; procedure: string; calls: number; nearEnd: number; portmapIndirect: boolean; evidence: Evidence }>();
    for (const p of this.pending.values()) {
      if (p.tx.state === 'answered') continue;
      const resent = this.resentAs.get(p.tx.callFrame);
      if (resent && resent.state === 'answered') continue;
      const key = `${p.server}|${p.procedure}`;
      let g = unanswered.get(key);
      if (!g) {
        const portmapIndirect = p.prog === PORTMAP_PROG && (p.proc === 5 || (p.vers === 4 && p.proc === 10));
        g = { server: p.server, procedure: p.procedure, calls: 0, nearEnd: 0, portmapIndirect, evidence: new Evidence(max) };
        unanswered.set(key, g);
      }
      g.calls++;
      if (this.lastTs - tsSeconds(p.tx.lastCallTs) < 1) g.nearEnd++;
      g.evidence.add(...p.frames);
    }
    for (const g of unanswered.values()) {
      const details: UnansweredDetails = { server: g.server, procedure: g.procedure, calls: g.calls, nearEnd: g.nearEnd };
      const end = g.nearEnd ? ` (${g.nearEnd} in the last second of the capture)` : '';
      out.push({
        kind: 'unanswered',
        severity: g.portmapIndirect ? 'low' : g.nearEnd === g.calls ? 'info' : 'medium',
        title: `${g.calls} ${g.procedure} call${g.calls === 1 ? '' : 's'} to ${g.server} got no reply${end}`,
        ...ev(g.evidence),
        advice: g.portmapIndirect
          ? 'CALLIT/BCAST are silent when the forwarded call fails or the program is unknown (RFC 1833), so no reply is normal; repeated ones from a remote host are probing.'
          : g.nearEnd === g.calls
            ? 'The calls came at the very end of the capture: their replies probably came after it stopped.'
            : 'The server (or the network) dropped these calls: check that the service runs and answers, firewalls, and packet loss on the path.',
        details: details as unknown as Record<string, unknown>,
      });
    }
    if (this.pendingOverflow) {
      out.push({
        kind: 'unanswered',
        severity: 'medium',
        title: `${this.pendingOverflow} more calls were not followed (more than ${MAX_PENDING} waiting at once)`,
        evidence: [],
        evidenceCount: 0,
        advice: 'A very large number of calls waited for replies at once: the server or the capture lost many.',
        details: { overflow: this.pendingOverflow },
      });
    }

    // retransmissions
    for (const [key, r] of this.retrans) {
      if (r.transmissions === 0) continue;
      const total = this.callsPerProc.get(key) ?? r.calls.size;
      const share = total ? r.calls.size / total : 1;
      const details: RetransmissionDetails = { server: r.server, procedure: r.procedure, calls: r.calls.size, transmissions: r.transmissions, totalCalls: total, duplicateReplies: r.dup };
      out.push({
        kind: 'retransmissions',
        severity: r.calls.size >= 3 && share >= 0.05 ? 'medium' : 'low',
        title: `${r.calls.size} of ${total} ${r.procedure} calls to ${r.server} were sent again (${r.transmissions} retransmission${r.transmissions === 1 ? '' : 's'}${r.dup ? `, ${r.dup} duplicate replies` : ''})`,
        ...ev(r.evidence),
        advice: 'Clients resend when a reply is late or lost: look at the server\'s load and at packet loss (UDP) or reconnections (TCP); with UDP, raise the timeo or use TCP.',
        details: details as unknown as Record<string, unknown>,
      });
    }

    // latency outliers
    for (const s of this.rtts.values()) {
      const n = s.rtt.length;
      if (n < this.opts.outlierMinSamples) continue;
      const sorted = Float64Array.from(s.rtt).sort();
      const med = median(sorted);
      const p99 = percentile(sorted, 0.99);
      const threshold = Math.max(this.opts.outlierFloor, this.opts.outlierFactor * med);
      const outliers: OutlierDetails['outliers'] = [];
      for (let i = 0; i < n; i++) {
        const rtt = s.rtt[i];
        if (rtt < this.opts.outlierFloor) continue;
        if (rtt > this.opts.outlierFactor * med || (n >= 100 && rtt > p99)) outliers.push({ callFrame: s.frames[2 * i], replyFrame: s.frames[2 * i + 1], rtt });
      }
      if (!outliers.length) continue;
      outliers.sort((a, b) => b.rtt - a.rtt);
      const e = new Evidence(max);
      for (const o of outliers) e.add(o.callFrame, o.replyFrame);
      const details: OutlierDetails = { procedure: s.procedure, samples: n, median: med, p99, threshold, outliers: outliers.slice(0, max) };
      out.push({
        kind: 'latency-outliers',
        severity: outliers[0].rtt >= 1 ? 'medium' : 'low',
        title: `${outliers.length} slow ${s.procedure} repl${outliers.length === 1 ? 'y' : 'ies'}: up to ${fmtMs(outliers[0].rtt)} (median ${fmtMs(med)} over ${n})`,
        ...ev(e),
        advice: 'Look at what the server did at those moments (disk, locks, load) and whether the calls were large; isolated ones on UDP are often a retransmission after a lost datagram.',
        details: details as unknown as Record<string, unknown>,
      });
    }

    // errors and stale handles
    const errorFinding = (g: ErrorGroup, stale: boolean): Finding => {
      const paths = [...g.paths].map(([path, p]) => ({ path, count: p.count, procedures: [...p.procedures].sort(), frames: uniqueFrames(p.frames) })).sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
      const details: ErrorDetails = { status: g.status, count: g.count, paths };
      const real = paths.filter((p) => p.path !== '(no path)');
      const procs = [...new Set(paths.flatMap((p) => p.procedures))].sort();
      const to = ` to ${procs.slice(0, 3).join(', ')}${procs.length > 3 ? ` and ${procs.length - 3} more procedures` : ''}`;
      const where = real.length === 0 ? '' : real.length === 1 && paths.length === 1 ? ` (${clipPath(real[0].path)})` : ` on ${real.length} path${real.length === 1 ? '' : 's'}`;
      const base = g.status.startsWith('AUTH_ERROR') ? 'AUTH_ERROR' : g.status;
      // rpcbind refuses SET/UNSET from remote or unprivileged callers: that is its job
      const registrations = procs.length > 0 && procs.every((p) => /^(PORTMAP|RPCBIND) v\d (SET|UNSET)$/.test(p));
      return {
        kind: stale ? 'stale-handles' : 'error-replies',
        severity: stale ? 'medium' : registrations ? 'low' : errorSeverity(base),
        title: `${g.count} ${g.status} repl${g.count === 1 ? 'y' : 'ies'}${to}${where}`,
        ...ev(g.evidence),
        advice: stale
          ? g.status === 'NFS3ERR_STALE'
            ? 'The handles are no longer valid on the server (file removed, export re-created, server file system changed or its fsid moved): clients must look the paths up again or remount.'
            : 'The server cannot parse these handles: they come from another server, an older server version, or a client bug.'
          : registrations
            ? 'rpcbind refuses to register or remove services for callers that are remote or not privileged: expected; repeated attempts from another host are an attack on the port map.'
            : errorAdvice(base),
        details: details as unknown as Record<string, unknown>,
      };
    };
    for (const g of this.errors.values()) out.push(errorFinding(g, false));
    for (const g of this.stale.values()) out.push(errorFinding(g, true));

    // lookups of unregistered programs
    for (const g of this.lookups.values()) {
      const lookups = [...g.entries.values()].map((e) => ({ ...e, frames: uniqueFrames(e.frames) }));
      const nfsOrMount = lookups.some((e) => e.prog === NFS_PROG || e.prog === MOUNT_PROG);
      const details: LookupDetails = { server: g.server, lookups };
      const names = lookups.map((e) => `${e.program} v${e.vers} ${e.transport.toUpperCase()}${e.count > 1 ? ` (${e.count}×)` : ''}`);
      out.push({
        kind: 'unregistered-lookups',
        severity: nfsOrMount ? 'low' : 'info',
        title: `rpcbind on ${g.server} answered "not registered" (port 0 / empty address) for ${names.join(', ')}`,
        ...ev(g.evidence),
        advice: nfsOrMount
          ? 'A client looked for MOUNT or NFS and rpcbind does not know it for that version and transport: the service is down or did not register (rpcinfo -p shows what is registered).'
          : 'Clients looked for programs that are not running here: harmless if expected (probes, optional services).',
        details: details as unknown as Record<string, unknown>,
      });
    }

    // AUTH_UNIX uid 0
    for (const g of this.roots.values()) {
      const details: RootDetails = { client: g.client, server: g.server, machines: [...g.machines], calls: g.calls, notSquashed: g.notSquashed, squashedTo: [...g.squashedTo] };
      const e = new Evidence(max);
      for (const x of g.notSquashed) e.add(x.replyFrame);
      for (const f of g.evidence.list()) e.add(f);
      const proven = g.notSquashed.length > 0;
      out.push({
        kind: 'auth-unix-root',
        severity: proven ? 'medium' : g.squashedTo.size ? 'info' : 'low',
        title: proven
          ? `Root is not squashed on ${g.server}: ${g.client} (AUTH_UNIX uid 0) created files owned by uid 0 (${g.calls} calls as root)`
          : g.squashedTo.size
            ? `${g.client} sends AUTH_UNIX uid 0 to ${g.server}, which squashes root to uid ${[...g.squashedTo].join(', ')} (${g.calls} calls)`
            : `${g.client} sends AUTH_UNIX uid 0 (root) to ${g.server}: ${g.calls} MOUNT/NFS calls (is root squashed?)`,
        evidence: e.list(),
        evidenceCount: g.evidence.count,
        advice: proven
          ? 'Any root user on that client is root on the export: use root_squash (nfs-ganesha: Squash = root_squash) unless this client is trusted.'
          : 'AUTH_UNIX is asserted by the client: unless the export squashes root (root_squash), root on the client is root on the files.',
        details: details as unknown as Record<string, unknown>,
      });
    }

    // AUTH_NONE
    for (const g of this.authNone.values()) {
      const details: AuthNoneDetails = { server: g.server, accepted: g.accepted, offered: g.offered };
      const what: string[] = [];
      if (g.accepted.length) what.push(`accepted ${g.accepted.length} MNT/NFS call${g.accepted.length === 1 ? '' : 's'} with AUTH_NONE`);
      if (g.offered.length) what.push(`offers AUTH_NONE for ${[...new Set(g.offered.map((o) => clipPath(o.export)))].join(', ')}`);
      out.push({
        kind: 'auth-none',
        severity: 'medium',
        title: `${g.server} ${what.join(' and ')}`,
        ...ev(g.evidence),
        advice: 'AUTH_NONE carries no identity at all: anyone who can reach the server gets in (as the anonymous user); remove `none` from the export\'s security flavors (sec=).',
        details: details as unknown as Record<string, unknown>,
      });
    }

    // UDP amplification / reflection
    for (const g of this.amps.values()) {
      if (g.pairs === 0) continue;
      const ratio = g.bytesIn ? g.bytesOut / g.bytesIn : 0;
      const ipRatio = g.ipKnown && g.ipIn ? g.ipOut / g.ipIn : null;
      const peers = [...g.peers.values()];
      const remote = peers.some((p) => p.remote);
      const details: AmplificationDetails = {
        server: g.server,
        procedure: g.procedure,
        basis: 'udp-payload',
        pairs: g.pairs,
        bytesIn: g.bytesIn,
        bytesOut: g.bytesOut,
        ratio,
        maxRatio: g.maxRatio,
        ipBytesIn: g.ipKnown ? g.ipIn : null,
        ipBytesOut: g.ipKnown ? g.ipOut : null,
        ipRatio,
        remotePeer: remote,
        peers,
        unanswered: g.calls - g.answered,
      };
      const to = remote ? `to a remote peer (${peers.filter((p) => p.remote).map((p) => p.address).join(', ')})` : `to ${peers.map((p) => p.address).join(', ')} (loopback/local only)`;
      const ip = ipRatio !== null ? `; IP ${g.ipOut}/${g.ipIn} = ${ipRatio.toFixed(2)}×` : '';
      out.push({
        kind: 'udp-amplification',
        severity: remote ? (ratio > 1 ? 'high' : 'medium') : 'info',
        title: `${g.procedure} over UDP answered ${to}: ${g.bytesOut} bytes out for ${g.bytesIn} in, ${ratio.toFixed(2)}× (UDP payload${ip})`,
        ...ev(g.evidence),
        advice: remote
          ? 'rpcbind answers unauthenticated UDP, so a spoofed source turns it into a reflector/amplifier: block port 111/udp from outside, or run rpcbind without remote UDP access (rpcbind -l / a firewall).'
          : 'Only local peers here; the same answers to a spoofed remote source would make rpcbind an amplifier: keep port 111/udp closed to the outside.',
        details: details as unknown as Record<string, unknown>,
      });
    }

    // services disclosed
    for (const g of this.disclosures.values()) {
      const peers = [...g.peers].map(([address, remote]) => ({ address, remote }));
      const remote = peers.some((p) => p.remote);
      const everyone = g.source.includes('EXPORT') && g.items.some((i) => i.endsWith('(everyone)'));
      const details: DisclosureDetails = { server: g.server, source: g.source, peers, items: g.items, itemCount: g.itemCount };
      const noun = g.source.includes('EXPORT') ? 'export' : g.source.includes('MOUNT') ? 'mount' : 'registration';
      out.push({
        kind: 'service-disclosure',
        severity: everyone ? 'low' : remote ? 'low' : 'info',
        title: `${g.source} on ${g.server} listed ${g.itemCount} ${noun}${g.itemCount === 1 ? '' : 's'} to ${peers.map((p) => `${p.address}${p.remote ? ' (remote)' : ''}`).join(', ')}${everyone ? ', some exported to everyone' : ''}`,
        ...ev(g.evidence),
        advice: everyone
          ? 'An export with no client list is open to every host: restrict it to the clients that need it; and keep the export list from untrusted networks.'
          : noun === 'registration'
            ? 'The DUMP shows every RPC service and port of the host: fine inside a trusted network, but block port 111 from untrusted ones.'
            : 'mountd tells anyone who asks what is exported and who mounted it: restrict access to mountd from untrusted networks.',
        details: details as unknown as Record<string, unknown>,
      });
    }

    const rank = (s: Severity): number => SEVERITIES.indexOf(s);
    out.sort((a, b) => rank(a.severity) - rank(b.severity) || (a.evidence[0] ?? Infinity) - (b.evidence[0] ?? Infinity) || a.title.localeCompare(b.title));
    const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
    for (const f of out) counts[f.severity]++;
    return { findings: out, counts, stats: { calls: this.calls, replies: this.replies, answered: this.answered } };
  }
}

/** Remote: not a loopback address, and not the server itself. */
function isRemote(peer: string, server: string): boolean {
  return !isLoopback(peer) && peer !== server;
}

/**
 * Length of the IP datagram(s) that carried a UDP message: the IP header of each fragment (its length taken from
 * the frame that completed the message) + the UDP header + the payload. Null when the frame is not at hand or
 * its IP header cannot be read.
 */
function ipBytes(ev: RpcEvent): number | null {
  if (!ev.frame || ev.record.transport !== 'udp') return null;
  const l = dissectFrame(ev.frame);
  if (!l.ip) return null;
  const header = l.ip.payloadOffset - l.ipOff;
  if (header <= 0) return null;
  return header * ev.record.frames.length + 8 + ev.record.length;
}
