/**
 * The core pipeline (design.md): RawFrame → net (link, IP, defragmentation, UDP/TCP) → TCP reassembly →
 * record marking → RPC header → registry names → pairing → release queue → the caller's event callback.
 * One instance per capture; it holds all the state (no module-level state), bounded everywhere.
 */
import type { Anomaly } from './anomaly';
import type { RawFrame } from './capture/raw-frame';
import { FhNames } from './programs/fh-names';
import { LearnedPorts } from './programs/learned-ports';
import type { L4Packet } from './net/l4-packet';
import { PacketDecoder } from './net/packet-decoder';
import { DEFAULT_MAX_FRAGMENT_DATAGRAMS } from './net/ip-defrag';
import { DEFAULT_TCP_REASSEMBLY, TcpReassembler } from './reassembly/tcp-reassembler';
import { LIMIT_SPECS, LimitWatch, type LimitCount, type LimitNotice, type WatchedLimit } from './limits';
import { probeRpcHeader } from './rpc/detect';
import { decodeRpcHeader } from './rpc/message';
import { DEFAULT_PAIRING, PairingTable, type Conversation, type PairingFlag, type Transaction } from './rpc/pairing';
import { DEFAULT_MAX_RECORD_BUFFER, TcpRecordLayer } from './rpc/tcp-record-layer';
import { Registry, type DecodeContext, type LearnContext, type ProcedureDef } from './rpc/registry';
import { XdrError, XdrReader } from './rpc/xdr';
import type { PipelineEvent, RpcEvent } from './rpc/rpc-event';
import type { RpcMessage } from './rpc/message';
import type { RpcRecord } from './rpc/rpc-record';
import { ReleaseQueue, DEFAULT_RELEASE } from './rpc/release-queue';
import { udpRecord } from './rpc/udp-records';
import { detachValue } from './programs/detach-value';
import { NAMED_PROGRAMS } from './programs/procedure-names';
import { MOUNT_PROGRAM } from './programs/mount';
import { PORTMAP_PROGRAM } from './programs/portmap-program';
import { NFS_PROGRAM } from './programs/nfs3/nfs-program';

export interface PipelineOptions {
  /** Calls remembered for pairing (`--max-pending`; pairing.ts maxTransactions). */
  maxTransactions: number;
  /** Answered transactions remembered for duplicate replies and XID reuse (pairing.ts); default 20000. */
  maxAnswered?: number;
  replyTimeout: number;
  maxRecordSize: number;
  /** Bytes of partial TCP records held by all connections together (`--max-record-buffer`, default 64 MiB); past
   *  it the oldest partial record is cut (record-budget.ts). */
  maxRecordBuffer?: number;
  /** Hold calls back until answered (file mode); off for live output. */
  hold: boolean;
  /** Messages held back at most (release-queue.ts); the oldest call is then printed without its reply. */
  maxHeld?: number;
  /** Also report frames that complete no RPC message (`-a`). */
  allFrames: boolean;
  /** Redecoding from a frame where a TCP record starts (redecode.ts): the stream whose first segment is this frame,
   *  joined mid-way, takes the first plausible record mark in it at once instead of waiting for confirmation. */
  recordStartFrame?: number;
  /** TCP connections tracked (`--max-streams`; tcp-reassembler.ts maxConnections, default 100 000). */
  maxStreams?: number;
  /** IP datagrams reassembled at once (`--max-fragments`; ip-defrag.ts, default 1024). */
  maxFragments?: number;
  /** Out-of-order TCP bytes held per direction (`--max-stream-buffer`, default 4 MiB) and in all
   *  (`--max-tcp-buffer`, default 64 MiB). */
  maxStreamBuffer?: number;
  maxTcpBuffer?: number;
  /** Told once per limit, at the frame where it is first reached (limits.ts); the totals are in warningLines(). */
  onLimit?: (notice: LimitNotice) => void;
}

export const DEFAULT_PIPELINE: PipelineOptions = {
  maxTransactions: DEFAULT_PAIRING.maxTransactions,
  replyTimeout: DEFAULT_PAIRING.replyTimeout,
  maxRecordSize: 16 << 20,
  hold: true,
  allFrames: false,
};

export interface PipelineCounters {
  frames: number;
  messages: number;
  /** Anomalies by name, over every stage. */
  anomalies: Partial<Record<Anomaly, number>>;
}

const MAX_UNANSWERED_LISTED = 1000;

export function defaultRegistry(): Registry {
  const r = new Registry();
  for (const p of NAMED_PROGRAMS) r.register(p);
  // Programs with full decoders replace their name-only entries.
  for (const p of [PORTMAP_PROGRAM, MOUNT_PROGRAM, NFS_PROGRAM]) r.register(p);
  return r;
}

export class Pipeline {
  readonly counters: PipelineCounters = { frames: 0, messages: 0, anomalies: {} };
  readonly pairing: PairingTable;
  private readonly decoder: PacketDecoder;
  private readonly tcp: TcpReassembler;
  private readonly records: TcpRecordLayer;
  private readonly release: ReleaseQueue;
  /** Ports learned from PORTMAP/RPCBIND replies. */
  readonly ports = new LearnedPorts();
  /** File handle names and paths learned from MOUNT and NFS. */
  readonly names = new FhNames();
  private seq = 0;
  /** The first unanswered calls, for the end-of-capture report (the count is in pairing.counters). */
  private readonly unanswered: Transaction[] = [];
  /** The frame being processed, and how many messages it completed so far. */
  private frame: RawFrame | null = null;
  private frameMessages = 0;
  private readonly allFrames: boolean;
  private readonly maxAnswered: number;
  private readonly limits: LimitWatch | null;
  private readonly watched: WatchedLimit[];
  private readonly caps: { pending: number; streams: number; fragments: number; record: number; recordBuffer: number; held: number };

  constructor(
    opts: PipelineOptions = DEFAULT_PIPELINE,
    onEvent: (ev: PipelineEvent) => void,
    private readonly registry: Registry = defaultRegistry(),
  ) {
    this.release = new ReleaseQueue({ ...DEFAULT_RELEASE, hold: opts.hold, maxMessages: opts.maxHeld ?? DEFAULT_RELEASE.maxMessages }, onEvent);
    this.pairing = new PairingTable(
      {
        maxTransactions: opts.maxTransactions,
        replyTimeout: opts.replyTimeout,
        reuseAfter: opts.replyTimeout,
        maxAnswered: opts.maxAnswered ?? DEFAULT_PAIRING.maxAnswered,
      },
      (tx) => {
        this.release.drain();
        if (this.unanswered.length < MAX_UNANSWERED_LISTED) this.unanswered.push(tx);
      },
    );
    this.decoder = new PacketDecoder({ maxFragmentDatagrams: opts.maxFragments });
    this.records = new TcpRecordLayer((rec) => this.onRecord(rec), { maxRecordSize: opts.maxRecordSize, maxRecordBuffer: opts.maxRecordBuffer }, undefined, opts.recordStartFrame);
    const records = this.records;
    this.tcp = new TcpReassembler({
      onChunk: (chunk, stream) => records.onChunk(chunk, stream),
      onStreamEnd: (stream, end) => records.onStreamEnd(stream, end),
      // after both directions flushed their last records: the connection's transactions can match nothing more
      onClose: (connId) => this.pairing.closeConnection(connId),
    }, {
      maxConnections: opts.maxStreams ?? DEFAULT_TCP_REASSEMBLY.maxConnections,
      maxBufferedPerDirection: opts.maxStreamBuffer ?? DEFAULT_TCP_REASSEMBLY.maxBufferedPerDirection,
      maxBufferedTotal: opts.maxTcpBuffer ?? DEFAULT_TCP_REASSEMBLY.maxBufferedTotal,
    });
    this.allFrames = opts.allFrames;
    this.maxAnswered = opts.maxAnswered ?? (DEFAULT_PAIRING.maxAnswered as number);
    this.caps = {
      pending: opts.maxTransactions,
      streams: this.tcp.options.maxConnections,
      fragments: opts.maxFragments ?? DEFAULT_MAX_FRAGMENT_DATAGRAMS,
      record: opts.maxRecordSize,
      recordBuffer: opts.maxRecordBuffer ?? DEFAULT_MAX_RECORD_BUFFER,
      held: opts.maxHeld ?? DEFAULT_RELEASE.maxMessages,
    };
    const tcpc = this.tcp.counters;
    this.watched = [
      { name: 'pending', value: this.caps.pending, count: () => this.pairing.counters.evicted },
      { name: 'answered', value: this.maxAnswered, count: () => this.pairing.counters.forgottenAnswered },
      { name: 'held', value: this.caps.held, count: () => this.release.forcedOut },
      { name: 'record', value: this.caps.record, count: () => this.records.counters.record_too_large ?? 0 },
      { name: 'record_buffer', value: this.caps.recordBuffer, count: () => this.records.counters.record_buffer_full ?? 0 },
      { name: 'streams', value: this.caps.streams, count: () => tcpc.tcp_stream_table_full ?? 0 },
      { name: 'fragments', value: this.caps.fragments, count: () => this.decoder.counters.ip_fragment_table_full ?? 0 },
      { name: 'tcp_buffer', value: this.tcp.options.maxBufferedPerDirection, count: () => tcpc.tcp_out_of_order_overflow ?? 0 },
    ];
    this.limits = opts.onLimit ? new LimitWatch(this.watched, opts.onLimit) : null;
  }

  pushFrame(frame: RawFrame): void {
    this.counters.frames++;
    this.frame = frame;
    this.frameMessages = 0;
    const pkt = this.decoder.decode(frame);
    this.pairing.sweep(frame.ts);
    if (pkt) {
      if (pkt.transport === 'udp') this.onUdp(pkt);
      else this.tcp.push(pkt);
    }
    if (this.allFrames && this.frameMessages === 0) this.release.push({ seq: ++this.seq, frame, other: true });
    this.frame = null;
    this.limits?.check(frame.frameNo, frame.ts);
  }

  /** End of input: flush partial streams and fragments, resolve pending calls, release everything. */
  finish(): void {
    this.tcp.finish();
    this.decoder.finish();
    this.pairing.finish();
    this.release.finish();
    this.limits?.check(0, null);
  }

  /** Calls that got no reply (timed out, evicted, or pending at the end), first ones first, with their names. */
  unansweredCalls(): Array<{ callFrame: number; xid: number; name: string }> {
    return this.unanswered
      .filter((tx) => tx.state === 'unanswered')
      .map((tx) => {
        const look = this.registry.lookup(tx.prog, tx.vers, tx.proc);
        return { callFrame: tx.callFrame, xid: tx.xid, name: `${look.programName ?? tx.prog} V${tx.vers} ${look.procedure?.name ?? `proc-${tx.proc}`}` };
      });
  }

  /** Every cap with how often it was hit so far (a live view's running totals; warningLines() says it at the end). */
  limitCounts(): LimitCount[] {
    return this.watched.map((l) => ({ limit: l.name, option: LIMIT_SPECS[l.name].option, value: l.value, count: l.count() }));
  }

  /** One line each for anomalies and limits reached, for stderr at the end of a run. */
  warningLines(): string[] {
    const all = this.anomalyCounts();
    const parts = Object.entries(all)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k}=${n}`);
    const lines: string[] = [];
    if (parts.length) lines.push(`anomalies: ${parts.join(' ')}`);
    const pc = this.pairing.counters;
    if (pc.evicted > 0) {
      lines.push(`pairing table full: ${pc.evicted} transactions evicted, ${pc.evictedPending} of them before their reply (raise --max-pending, now ${this.caps.pending})`);
    }
    if (pc.forgottenAnswered > 0) {
      lines.push(`pairing: ${pc.forgottenAnswered} answered transactions forgotten; duplicate replies and XID reuse are checked against the last ${this.maxAnswered} answered (raise --max-answered)`);
    }
    if (this.release.forcedOut > 0) lines.push(`release queue full: ${this.release.forcedOut} calls printed before their reply (raise --max-held, now ${this.caps.held})`);
    const n = (v: number | undefined): number => v ?? 0;
    const streams = n(this.tcp.counters.tcp_stream_table_full);
    if (streams > 0) lines.push(`TCP stream table full: ${streams} open connections evicted (raise --max-streams, now ${this.caps.streams})`);
    const frags = n(this.decoder.counters.ip_fragment_table_full);
    if (frags > 0) lines.push(`IP fragment table full: ${frags} incomplete datagrams given up (raise --max-fragments, now ${this.caps.fragments})`);
    const big = n(this.records.counters.record_too_large);
    if (big > 0) lines.push(`records too large: ${big} TCP records kept truncated at ${this.caps.record} bytes (raise --max-record-size)`);
    const cut = n(this.records.counters.record_buffer_full);
    if (cut > 0) lines.push(`record buffer full: ${cut} partial TCP records cut, the longest held first, to keep all connections' partial records under ${this.caps.recordBuffer} bytes (raise --max-record-buffer)`);
    const ooo = n(this.tcp.counters.tcp_out_of_order_overflow);
    if (ooo > 0) {
      const o = this.tcp.options;
      lines.push(`TCP out-of-order buffers full: ${ooo} holes declared lost (raise --max-stream-buffer, now ${o.maxBufferedPerDirection}, or --max-tcp-buffer, now ${o.maxBufferedTotal})`);
    }
    return lines;
  }

  anomalyCounts(): Record<string, number> {
    const out: Record<string, number> = { ...this.counters.anomalies } as Record<string, number>;
    const add = (src: Record<string, number>): void => {
      for (const [k, v] of Object.entries(src)) out[k] = (out[k] ?? 0) + v;
    };
    add(this.decoder.counters);
    add(this.tcp.counters);
    add(this.records.counters);
    return out;
  }

  private count(a: Anomaly): void {
    this.counters.anomalies[a] = (this.counters.anomalies[a] ?? 0) + 1;
  }

  private onUdp(pkt: L4Packet): void {
    const probe = probeRpcHeader(pkt.payload, 0, pkt.payload.length);
    if (probe !== 'call' && probe !== 'reply') return;
    const rec = udpRecord(pkt);
    // TCP records are counted by the record layer; a datagram cut by the snaplen is counted here.
    if (rec.truncated) this.count('record_truncated');
    this.onRecord(rec);
  }

  private onRecord(rec: RpcRecord): void {
    const res = decodeRpcHeader(rec.bytes);
    if (!res.ok) {
      this.count(res.short ? 'malformed_header' : 'not_rpc');
      return;
    }
    const msg = res.msg;
    this.counters.messages++;
    this.frameMessages++;
    const isCall = msg.type === 'call';
    // The conversation as seen from the call: for a reply, the client is its destination.
    const conv: Conversation = {
      transport: rec.transport,
      connId: rec.connId,
      client: isCall ? rec.src : rec.dst,
      clientPort: isCall ? rec.sport : rec.dport,
      server: isCall ? rec.dst : rec.src,
      serverPort: isCall ? rec.dport : rec.sport,
    };
    let pairing: { tx: Transaction | null; flags: PairingFlag[]; retransmitOf?: number | null };
    if (msg.type === 'call') {
      pairing = this.pairing.call(conv, msg.xid, msg.prog, msg.vers, msg.proc, rec.frameNo, rec.ts);
    } else {
      pairing = this.pairing.reply(conv, msg.xid, rec.frameNo, rec.ts);
    }
    const tx = pairing.tx;
    const ev: RpcEvent = {
      seq: ++this.seq,
      record: rec,
      msg,
      prog: tx?.prog ?? null,
      vers: tx?.vers ?? null,
      proc: tx?.proc ?? null,
      programName: null,
      procedureName: null,
      tx,
      flags: pairing.flags,
      retransmitOf: pairing.retransmitOf ?? null,
      anomalies: rec.anomalies.slice(),
      status: null,
      decodeError: null,
      frame: this.frame !== null && this.frame.frameNo === rec.frameNo ? this.frame : null,
    };
    if (tx) {
      const look = this.registry.lookup(tx.prog, tx.vers, tx.proc);
      ev.programName = look.programName;
      ev.procedureName = look.procedure?.name ?? null;
      if (look.procedure) this.decodeBody(ev, look.procedure, conv);
    } else {
      // An orphan reply carries no program: the port it came from may tell (learned from PORTMAP/RPCBIND).
      const learned = this.ports.lookup(rec.src, rec.transport, rec.sport);
      if (learned) {
        ev.prog = learned.prog;
        ev.vers = learned.vers;
        ev.programName = this.registry.programName(learned.prog, learned.vers);
      }
    }
    this.release.push(ev);
  }

  /** Decodes a call's arguments (kept on the transaction for its reply) or a successful reply's results, and
   *  lets the procedure learn from a paired call and reply. */
  private decodeBody(ev: RpcEvent, def: ProcedureDef, conv: Conversation): void {
    const msg: RpcMessage = ev.msg;
    const tx = ev.tx as Transaction;
    const ctx: DecodeContext = { transport: ev.record.transport, registry: this.registry, depth: 0, truncated: ev.record.truncated };
    try {
      if (msg.type === 'call') {
        if (!def.readArgs) return;
        ev.args = def.readArgs(new XdrReader(ev.record.bytes, msg.bodyOffset), ctx);
        // A retransmission's arguments are the same call's: keep the first decode for the reply. Pairing keeps a
        // detached copy (detach-value.ts), not the decode: its views would pin the record's buffer — for a UDP call
        // the capture file's read chunk — for as long as the call waits for its reply, and a capture of calls
        // without replies would then hold a chunk per pending call. The call's own event keeps the decode.
        if (tx.callFrame === ev.record.frameNo || tx.args === undefined) tx.args = detachValue(ev.args);
        return;
      }
      if (msg.replyStat !== 0 || msg.acceptStat !== 0 || !def.readResult) return;
      ev.args = tx.args;
      ev.result = def.readResult(new XdrReader(ev.record.bytes, msg.bodyOffset), tx.args, ctx);
      ev.status = def.status?.(ev.result) ?? null;
      // a result cut short that still gave its status (nfs3/partial-result.ts)
      if ((ev.result as { partial?: unknown } | null)?.partial === true) {
        ev.anomalies.push('body_truncated');
        this.count('body_truncated');
      }
      if (def.learn && tx.args !== undefined) {
        const l: LearnContext = { transport: conv.transport, server: conv.server, client: conv.client, ports: this.ports, names: this.names };
        def.learn(tx.args, ev.result, l);
      }
    } catch (e) {
      if (!(e instanceof XdrError)) throw e;
      ev.decodeError = e.message;
      const a = e.kind === 'short' && ev.record.truncated ? 'body_truncated' : 'malformed_body';
      ev.anomalies.push(a);
      this.count(a);
    }
  }
}
