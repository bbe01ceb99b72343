/**
 * The core pipeline (design.md): RawFrame → net (link, IP, defragmentation, UDP/TCP) → TCP reassembly →
 * record marking → RPC header → registry names → pairing → release queue → the caller's event callback.
 * One instance per capture; it holds all the state (no module-level state), bounded everywhere.
 */
import type { Anomaly } from './anomaly';
import type { RawFrame } from './capture/raw-frame';
import type { L4Packet } from './net/l4-packet';
import { PacketDecoder } from './net/packet-decoder';
import { TcpReassembler } from './reassembly/tcp-reassembler';
import { probeRpcHeader } from './rpc/detect';
import { decodeRpcHeader } from './rpc/message';
import { DEFAULT_PAIRING, PairingTable, type Conversation, type PairingFlag, type Transaction } from './rpc/pairing';
import { TcpRecordLayer } from './rpc/tcp-record-layer';
import { Registry } from './rpc/registry';
import type { RpcEvent } from './rpc/rpc-event';
import type { RpcRecord } from './rpc/rpc-record';
import { ReleaseQueue, DEFAULT_RELEASE } from './rpc/release-queue';
import { udpRecord } from './rpc/udp-records';
import { NAMED_PROGRAMS } from './programs/procedure-names';

export interface PipelineOptions {
  maxTransactions: number;
  replyTimeout: number;
  maxRecordSize: number;
  /** Hold calls back until answered (file mode); off for live output. */
  hold: boolean;
}

export const DEFAULT_PIPELINE: PipelineOptions = {
  maxTransactions: DEFAULT_PAIRING.maxTransactions,
  replyTimeout: DEFAULT_PAIRING.replyTimeout,
  maxRecordSize: 16 << 20,
  hold: true,
};

export interface PipelineCounters {
  frames: number;
  messages: number;
  calls: number;
  replies: number;
  /** Anomalies by name, over every stage. */
  anomalies: Partial<Record<Anomaly, number>>;
}

export function defaultRegistry(): Registry {
  const r = new Registry();
  for (const p of NAMED_PROGRAMS) r.register(p);
  return r;
}

export class Pipeline {
  readonly counters: PipelineCounters = { frames: 0, messages: 0, calls: 0, replies: 0, anomalies: {} };
  readonly pairing: PairingTable;
  private readonly decoder: PacketDecoder;
  private readonly tcp: TcpReassembler;
  private readonly records: TcpRecordLayer;
  private readonly release: ReleaseQueue;
  private seq = 0;

  constructor(
    opts: PipelineOptions = DEFAULT_PIPELINE,
    onEvent: (ev: RpcEvent) => void,
    private readonly registry: Registry = defaultRegistry(),
  ) {
    this.release = new ReleaseQueue({ ...DEFAULT_RELEASE, hold: opts.hold }, onEvent);
    this.pairing = new PairingTable(
      { maxTransactions: opts.maxTransactions, replyTimeout: opts.replyTimeout, reuseAfter: opts.replyTimeout },
      () => this.release.drain(),
    );
    this.decoder = new PacketDecoder();
    this.records = new TcpRecordLayer((rec) => this.onRecord(rec), { maxRecordSize: opts.maxRecordSize });
    this.tcp = new TcpReassembler(this.records);
  }

  pushFrame(frame: RawFrame): void {
    this.counters.frames++;
    const pkt = this.decoder.decode(frame);
    this.pairing.sweep(frame.ts);
    if (!pkt) return;
    if (pkt.transport === 'udp') this.onUdp(pkt);
    else this.tcp.push(pkt);
  }

  /** End of input: flush partial streams and fragments, resolve pending calls, release everything. */
  finish(): void {
    this.tcp.finish();
    this.decoder.finish();
    this.pairing.finish();
    this.release.finish();
  }

  /** One line each for anomalies and limits reached, for stderr at the end of a run. */
  warningLines(): string[] {
    const all = this.anomalyCounts();
    const parts = Object.entries(all)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k}=${n}`);
    const lines: string[] = [];
    if (parts.length) lines.push(`anomalies: ${parts.join(' ')}`);
    if (this.pairing.counters.evicted > 0) lines.push(`pairing table full: ${this.pairing.counters.evicted} transactions evicted (raise --max-transactions)`);
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
      this.counters.calls++;
      pairing = this.pairing.call(conv, msg.xid, msg.prog, msg.vers, msg.proc, rec.frameNo, rec.ts);
    } else {
      this.counters.replies++;
      pairing = this.pairing.reply(conv, msg.xid, rec.frameNo, rec.ts);
    }
    const tx = pairing.tx;
    const look = tx ? this.registry.lookup(tx.prog, tx.vers, tx.proc) : null;
    this.release.push({
      seq: ++this.seq,
      record: rec,
      msg,
      prog: tx?.prog ?? null,
      vers: tx?.vers ?? null,
      proc: tx?.proc ?? null,
      programName: look?.programName ?? null,
      procedureName: look?.procedure?.name ?? null,
      tx,
      flags: pairing.flags,
      retransmitOf: pairing.retransmitOf ?? null,
      anomalies: rec.anomalies.slice(),
    });
  }
}
