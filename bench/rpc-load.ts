/**
 * Loopback ONC RPC load: a responder that answers every call with an accepted SUCCESS reply carrying the call's
 * XID, and a client that sends NFSv3 GETATTR calls (AUTH_UNIX, 128 bytes of RPC, 170-byte frames) with distinct
 * XIDs at a target rate for a fixed time, paced on a 1 ms timer: at each tick it sends the batch that brings the
 * count sent up to rate × elapsed time, so the rate is exact over any few milliseconds whatever the timer's jitter.
 *
 * Over UDP one call is one datagram. Over TCP each call is one record (RFC 5531 §11) and a tick's batch goes out
 * in one write, so at high rates many records share a segment; the responder answers a whole read in one write.
 *
 * Traffic goes only to 127.0.0.1. Everything is bounded: the duration (at most 60 s), the rate (at most 500 000
 * calls/s), the catch-up after a stalled tick (at most 50 ms of calls in one batch) and the wait for the last
 * replies.
 *
 *   node dist/bench/rpc-load.js serve  [--transport udp|tcp] [--port 40111] [--seconds N]
 *   node dist/bench/rpc-load.js client [--transport udp|tcp] [--port 40111] --rate CALLS_PER_S --duration S
 *   node dist/bench/rpc-load.js both   [...client options]      (responder and client in one process)
 *
 * `client` and `both` print one JSON object on stdout: calls sent, replies received, the achieved rate.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { authUnix, buildAcceptedReply, buildCall, frameRecord, nfsFh, XdrWriter } from '../test/helpers/rpc-builders';

export const HOST = '127.0.0.1';
export const DEFAULT_PORT = 40111;
const MAX_SECONDS = 60;
const MAX_CALLS_PER_SECOND = 500_000;
/** Longest catch-up after a late tick, in seconds of calls. */
const MAX_BURST_SECONDS = 0.05;
/** How long the client waits for outstanding replies after its last call (ms). */
const REPLY_GRACE_MS = 500;

export type Transport = 'udp' | 'tcp';

// ------------------------------------------------------------------------------------------------ messages

/** NFSv3 GETATTR call (program 100003, version 3, procedure 1) with an AUTH_UNIX credential and a 32-byte handle. */
export function getattrCall(xid: number): Buffer {
  const cred = authUnix({ stamp: 0x65a1b2c3, machine: 'bench-client', uid: 1000, gid: 1000, gids: [1000, 4, 24, 27, 100] });
  const fh = nfsFh(11, 32);
  return Buffer.from(buildCall({ xid, prog: 100003, vers: 3, proc: 1, cred, body: fh }));
}

/** GETATTR3res: NFS3_OK and a regular file's fattr3 (84 bytes). */
export function getattrReply(xid: number): Buffer {
  const w = new XdrWriter()
    .u32(0) // NFS3_OK
    .u32(1) // NF3REG
    .u32(0o644)
    .u32(1) // nlink
    .u32(1000)
    .u32(1000)
    .u64(4096n) // size
    .u64(4096n) // used
    .u32(0)
    .u32(0) // rdev
    .u64(0x1234n) // fsid
    .u64(0x42n) // fileid
    .u32(1_700_000_000)
    .u32(0)
    .u32(1_700_000_000)
    .u32(0)
    .u32(1_700_000_000)
    .u32(0);
  return Buffer.from(buildAcceptedReply({ xid, body: w.bytes() }));
}

/** Both messages framed as one TCP record each. */
function framed(b: Buffer): Buffer {
  return Buffer.from(frameRecord(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
}

// ------------------------------------------------------------------------------------------------ responder

export interface Responder {
  calls: number;
  replies: number;
  close(): Promise<void>;
}

export async function startResponder(transport: Transport, port = DEFAULT_PORT): Promise<Responder> {
  return transport === 'udp' ? startUdpResponder(port) : startTcpResponder(port);
}

async function startUdpResponder(port: number): Promise<Responder> {
  const template = getattrReply(0);
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
  const r: Responder = {
    calls: 0,
    replies: 0,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 8 || msg.readUInt32BE(4) !== 0) return;
    r.calls++;
    const reply = Buffer.from(template);
    reply.writeUInt32BE(msg.readUInt32BE(0), 0);
    sock.send(reply, rinfo.port, rinfo.address);
    r.replies++;
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, HOST, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return r;
}

/** Splits record-marked data into complete records (single-fragment ones, as this load sends), keeping the rest. */
class RecordSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(data: Buffer, onRecord: (rec: Buffer) => void): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    let o = 0;
    while (buf.length - o >= 4) {
      const len = buf.readUInt32BE(o) & 0x7fffffff;
      if (buf.length - o - 4 < len) break;
      onRecord(buf.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
    this.pending = o < buf.length ? Buffer.from(buf.subarray(o)) : Buffer.alloc(0);
  }
}

async function startTcpResponder(port: number): Promise<Responder> {
  const template = framed(getattrReply(0));
  const sockets = new Set<net.Socket>();
  const r: Responder = {
    calls: 0,
    replies: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    const split = new RecordSplitter();
    s.on('data', (data: Buffer) => {
      const out: Buffer[] = [];
      split.push(data, (rec) => {
        if (rec.length < 8 || rec.readUInt32BE(4) !== 0) return;
        r.calls++;
        const reply = Buffer.from(template);
        reply.writeUInt32BE(rec.readUInt32BE(0), 4);
        out.push(reply);
      });
      if (out.length) {
        s.write(out.length === 1 ? out[0] : Buffer.concat(out));
        r.replies += out.length;
      }
    });
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return r;
}

// ------------------------------------------------------------------------------------------------ client

export interface ClientOptions {
  transport: Transport;
  port: number;
  /** Calls per second (each call brings one reply: RPC messages per second are twice this). */
  rate: number;
  /** Seconds of sending. */
  duration: number;
  /** First XID (the others follow, modulo 2^32). */
  xidBase: number;
}

export interface ClientResult {
  transport: Transport;
  targetCallsPerSecond: number;
  durationSeconds: number;
  callsSent: number;
  repliesReceived: number;
  /** Seconds from the first call to the last one sent. */
  sendSeconds: number;
  achievedCallsPerSecond: number;
  /** Ticks that ran, and the largest batch sent in one tick. */
  ticks: number;
  maxBatch: number;
  firstXid: number;
  lastXid: number;
  /** CPU seconds this process used while the client ran (user + system; the responder too in `both` mode). */
  cpuSeconds: number;
}

function checkClientOptions(o: ClientOptions): void {
  if (!(o.rate > 0 && o.rate <= MAX_CALLS_PER_SECOND)) throw new Error(`rate must be in (0, ${MAX_CALLS_PER_SECOND}] calls/s`);
  if (!(o.duration > 0 && o.duration <= MAX_SECONDS)) throw new Error(`duration must be in (0, ${MAX_SECONDS}] s`);
}

/** Sends rate × duration calls, paced per 1 ms tick, and counts the replies. */
export async function runClient(o: ClientOptions): Promise<ClientResult> {
  checkClientOptions(o);
  const total = Math.round(o.rate * o.duration);
  const template = getattrCall(0);
  let replies = 0;
  let send: (batch: number, firstXid: number) => void;
  let close: () => void;
  let onReplyCountChange: (() => void) | null = null;
  const gotReply = (n: number): void => {
    replies += n;
    onReplyCountChange?.();
  };

  if (o.transport === 'udp') {
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, HOST, () => sock.connect(o.port, HOST, () => {
        sock.off('error', reject);
        resolve();
      }));
    });
    sock.on('message', (msg) => {
      if (msg.length >= 8 && msg.readUInt32BE(4) === 1) gotReply(1);
    });
    sock.on('error', () => undefined); // ECONNREFUSED and the like: the counts tell
    send = (batch, firstXid) => {
      for (let i = 0; i < batch; i++) {
        const b = Buffer.from(template);
        b.writeUInt32BE((firstXid + i) >>> 0, 0);
        sock.send(b);
      }
    };
    close = () => sock.close();
  } else {
    const tmpl = framed(template);
    const sock = net.connect({ host: HOST, port: o.port });
    sock.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve();
      });
    });
    sock.on('error', () => undefined);
    const split = new RecordSplitter();
    sock.on('data', (data: Buffer) => {
      let n = 0;
      split.push(data, (rec) => {
        if (rec.length >= 8 && rec.readUInt32BE(4) === 1) n++;
      });
      if (n) gotReply(n);
    });
    // one write per tick, but at most 256 records (34 KiB) per write, so that no segment on lo reaches the 64 KiB
    // that libpcap (through cap) cuts at
    const perWrite = 256;
    send = (batch, firstXid) => {
      for (let done = 0; done < batch; done += perWrite) {
        const n = Math.min(perWrite, batch - done);
        const out = Buffer.allocUnsafe(n * tmpl.length);
        for (let i = 0; i < n; i++) {
          tmpl.copy(out, i * tmpl.length);
          out.writeUInt32BE((firstXid + done + i) >>> 0, i * tmpl.length + 4);
        }
        sock.write(out);
      }
    };
    close = () => sock.end();
  }

  const cpu0 = process.cpuUsage();
  let sent = 0;
  let ticks = 0;
  let maxBatch = 0;
  const maxBurst = Math.max(1, Math.ceil(o.rate * MAX_BURST_SECONDS));
  const start = process.hrtime.bigint();
  let lastSend = start;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      ticks++;
      const now = process.hrtime.bigint();
      const elapsed = Number(now - start) / 1e9;
      const due = elapsed >= o.duration ? total : Math.min(total, Math.floor(o.rate * elapsed));
      const batch = Math.min(due - sent, maxBurst);
      if (batch > 0) {
        send(batch, o.xidBase + sent);
        sent += batch;
        maxBatch = Math.max(maxBatch, batch);
        lastSend = process.hrtime.bigint();
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendSeconds = Number(lastSend - start) / 1e9;
  // the last replies: wait until all arrived or the grace time is over
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, REPLY_GRACE_MS);
    onReplyCountChange = () => {
      if (replies >= sent) {
        clearTimeout(timer);
        resolve();
      }
    };
    onReplyCountChange();
  });
  onReplyCountChange = null;
  close();
  const cpu = process.cpuUsage(cpu0);
  return {
    transport: o.transport,
    targetCallsPerSecond: o.rate,
    durationSeconds: o.duration,
    callsSent: sent,
    repliesReceived: replies,
    sendSeconds,
    achievedCallsPerSecond: sendSeconds > 0 ? sent / sendSeconds : sent,
    ticks,
    maxBatch,
    firstXid: o.xidBase >>> 0,
    lastXid: (o.xidBase + sent - 1) >>> 0,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

// ------------------------------------------------------------------------------------------------ command line

function parse(argv: string[]): { mode: string; opts: ClientOptions; seconds: number } {
  const mode = argv[0] ?? '';
  const opts: ClientOptions = { transport: 'udp', port: DEFAULT_PORT, rate: 1000, duration: 2, xidBase: (Math.random() * 0x7fffffff) >>> 0 };
  let seconds = MAX_SECONDS * 10;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      i++;
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n)) throw new Error(`${a} needs a number`);
      return n;
    };
    if (a === '--transport') {
      i++;
      if (v !== 'udp' && v !== 'tcp') throw new Error('--transport udp|tcp');
      opts.transport = v;
    } else if (a === '--port') opts.port = num();
    else if (a === '--rate') opts.rate = num();
    else if (a === '--duration') opts.duration = num();
    else if (a === '--xid') opts.xidBase = num() >>> 0;
    else if (a === '--seconds') seconds = num();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!['serve', 'client', 'both'].includes(mode)) throw new Error('usage: rpc-load.js serve|client|both [--transport udp|tcp] [--port N] [--rate CALLS_PER_S] [--duration S] [--xid N] [--seconds N]');
  return { mode, opts, seconds };
}

async function main(argv: string[]): Promise<number> {
  const { mode, opts, seconds } = parse(argv);
  if (mode === 'serve') {
    const r = await startResponder(opts.transport, opts.port);
    process.stderr.write(`rpc-load: answering ${opts.transport} calls on ${HOST}:${opts.port}\n`);
    await new Promise<void>((resolve) => {
      // bounded: stops by itself after --seconds (default 600)
      const timer = setTimeout(resolve, seconds * 1000);
      const stop = (): void => {
        clearTimeout(timer);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await r.close();
    process.stdout.write(JSON.stringify({ callsReceived: r.calls, repliesSent: r.replies }) + '\n');
    return 0;
  }
  const responder = mode === 'both' ? await startResponder(opts.transport, opts.port) : null;
  const res = await runClient(opts);
  if (responder) await responder.close();
  process.stdout.write(JSON.stringify({ ...res, responderCalls: responder?.calls, responderReplies: responder?.replies }) + '\n');
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`rpc-load: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
