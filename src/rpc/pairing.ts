/**
 * Call/reply pairing by XID within a conversation (RFC 5531 §9: the XID only matches a reply to its call; it
 * identifies nothing across clients or servers).
 *
 * Conversation keys:
 *  - TCP: the connection (4-tuple and its incarnation). RPC over TCP answers on the connection the call came
 *    in on, so two clients — or two connections of one client — using the same XID stay apart.
 *  - UDP: client address, server address, server port. The client port is left out because clients
 *    retransmit from another source port (Wireshark's reason too); the server address is kept so that one
 *    client talking to two servers with the same XID is not merged (Wireshark merges them).
 * A TCP call whose XID and procedure are pending on another connection between the same hosts is flagged as a
 * retransmission (clients resend after a reconnect).
 *
 * Transactions: the first call creates one; a repeated call with the same procedure is a retransmission of it;
 * the same XID with another program/version/procedure starts a new one (XID reuse) instead of decoding the
 * reply against the wrong call. Replies: the first answers, later ones are duplicates, replies with no call are
 * orphans. Calls with no reply within `replyTimeout` seconds of capture time, evicted from the bounded table,
 * or pending at the end are unanswered.
 *
 * Bounds (docs/performance.md "Memory"): at most maxTransactions transactions, of which at most maxAnswered answered
 * ones (most recently answered kept); a TCP connection's answered transactions are forgotten when it closes (its id
 * never comes back). A transaction keeps detached call arguments only, never a view of a capture buffer.
 */
import { tsDiffSeconds, type Timestamp } from '../capture/raw-frame';
import { MapQueue } from '../map-queue';

/**
 * The string with its characters in one piece. A template literal makes a tree of concatenations (V8 "cons
 * strings"), and hashing it as a Map key does not join it: a remembered key kept its tree — five nodes and the
 * XID's own string, about 140 bytes where the text is 40. Reading a character makes V8 flatten the string in place
 * (measured: 138 → 78 bytes per key; Number(s) does not flatten).
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

export type PairingFlag = 'retransmit' | 'duplicate_reply' | 'orphan_reply' | 'xid_reuse' | 'unanswered' | 'late_reply' | 'evicted';

export type TxState = 'pending' | 'answered' | 'unanswered';

export interface Transaction {
  /** Creation order, unique per pairing table. */
  id: number;
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  callFrame: number;
  callTs: Timestamp;
  /** Latest transmission of the call (differs from callFrame after retransmissions). */
  lastCallFrame: number;
  lastCallTs: Timestamp;
  callCount: number;
  replyFrame: number | null;
  replyTs: Timestamp | null;
  replyCount: number;
  /** Seconds from the first call to the first reply. */
  rtt: number | null;
  state: TxState;
  /** The table evicted it before it was answered. */
  evicted: boolean;
  /** Decoded call arguments, kept for decoding the reply (registry readResult). */
  args: unknown;
}

export interface Conversation {
  transport: 'udp' | 'tcp';
  connId: string | null;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
}

export interface PairingOptions {
  /** Maximum transactions remembered (pending and answered); the oldest is evicted beyond it. */
  maxTransactions: number;
  /** Seconds of capture time after the last transmission before a call counts as unanswered. */
  replyTimeout: number;
  /** A same-procedure call this long after the reply is XID reuse rather than a retransmission. */
  reuseAfter: number;
  /** Answered transactions remembered (for duplicate replies and XID reuse), most recently answered first; older
   *  ones are forgotten. Optional: maxTransactions when absent. */
  maxAnswered?: number;
}

export const DEFAULT_PAIRING: PairingOptions = { maxTransactions: 200_000, replyTimeout: 60, reuseAfter: 60, maxAnswered: 20_000 };

export interface CallResult {
  tx: Transaction;
  flags: PairingFlag[];
  /** For a retransmission: the frame of the first transmission. */
  retransmitOf: number | null;
}

export interface ReplyResult {
  tx: Transaction | null;
  flags: PairingFlag[];
}

export interface PairingCounters {
  calls: number;
  replies: number;
  pairs: number;
  retransmits: number;
  duplicateReplies: number;
  orphanReplies: number;
  xidReuse: number;
  unanswered: number;
  evicted: number;
  /** Of the evicted: calls still waiting for their reply (flagged unanswered and evicted). */
  evictedPending: number;
  /** Answered transactions forgotten beyond maxAnswered (a later duplicate reply is then an orphan). */
  forgottenAnswered: number;
}

export class PairingTable {
  private readonly byKey = new Map<string, Transaction>();
  /** Oldest-first removal from byKey for eviction (map-queue.ts: a fresh iterator per eviction is quadratic). A
   *  transaction replaced by XID reuse is deleted and set again, so it counts from its new place. */
  private readonly byKeyOldest = new MapQueue(this.byKey);
  /** Answered transactions in the order they were answered, for the maxAnswered bound (same stale-skipping). */
  private answeredKeys: string[] = [];
  private answeredIds: number[] = [];
  private answeredHead = 0;
  /** Pending TCP calls by host pair + XID, to notice retransmissions on a new connection. */
  private readonly byHosts = new Map<string, Transaction>();
  /** Oldest-first removal from byHosts (map-queue.ts: a fresh iterator per eviction is quadratic). */
  private readonly byHostsOldest = new MapQueue(this.byHosts);
  /** Pending transactions in creation order, for the reply timeout sweep. */
  private readonly pendingQueue: Transaction[] = [];
  private pendingHead = 0;
  /** TCP: the keys used by each connection, so that a closed connection's transactions can be forgotten. May name
   *  keys gone from byKey; compacted when it doubles (see noteConnKey). */
  private readonly connKeys = new Map<string, { keys: string[]; compactAt: number }>();
  private readonly connKeysOldest = new MapQueue(this.connKeys);
  private nextId = 1;
  readonly counters: PairingCounters = {
    calls: 0,
    replies: 0,
    pairs: 0,
    retransmits: 0,
    duplicateReplies: 0,
    orphanReplies: 0,
    xidReuse: 0,
    unanswered: 0,
    evicted: 0,
    evictedPending: 0,
    forgottenAnswered: 0,
  };

  constructor(
    private readonly opts: PairingOptions = DEFAULT_PAIRING,
    /** Told when a transaction stops being pending without an answer (timeout, eviction, end). */
    private readonly onResolved: (tx: Transaction) => void = () => undefined,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  static key(c: Conversation, xid: number): string {
    return flat(c.transport === 'tcp' ? `${c.connId}|${xid}` : `u|${c.client}|${c.server}|${c.serverPort}|${xid}`);
  }

  private static hostKey(c: Conversation, xid: number): string {
    return `${c.client}|${c.server}|${c.serverPort}|${xid}`;
  }

  call(c: Conversation, xid: number, prog: number, vers: number, proc: number, frameNo: number, ts: Timestamp): CallResult {
    this.counters.calls++;
    this.sweep(ts);
    const key = PairingTable.key(c, xid);
    const old = this.byKey.get(key);
    const sameProc = old !== undefined && old.prog === prog && old.vers === vers && old.proc === proc;
    if (old && sameProc && (old.state !== 'answered' || tsDiffSeconds(old.replyTs ?? ts, ts) <= this.opts.reuseAfter)) {
      old.callCount++;
      old.lastCallFrame = frameNo;
      old.lastCallTs = ts;
      this.counters.retransmits++;
      return { tx: old, flags: ['retransmit'], retransmitOf: old.callFrame };
    }
    const flags: PairingFlag[] = [];
    let retransmitOf: number | null = null;
    if (old) {
      flags.push('xid_reuse');
      this.counters.xidReuse++;
      this.byKey.delete(key);
      if (old.state === 'pending') this.resolveUnanswered(old);
    }
    if (c.transport === 'tcp') {
      const hk = PairingTable.hostKey(c, xid);
      const other = this.byHosts.get(hk);
      if (other && other.state === 'pending' && other.prog === prog && other.vers === vers && other.proc === proc) {
        flags.push('retransmit');
        this.counters.retransmits++;
        retransmitOf = other.callFrame;
      }
    }
    const tx: Transaction = {
      id: this.nextId++,
      xid,
      prog,
      vers,
      proc,
      callFrame: frameNo,
      callTs: ts,
      lastCallFrame: frameNo,
      lastCallTs: ts,
      callCount: 1,
      replyFrame: null,
      replyTs: null,
      replyCount: 0,
      rtt: null,
      state: 'pending',
      evicted: false,
      args: undefined,
    };
    this.byKey.set(key, tx);
    if (c.transport === 'tcp') {
      this.setBounded(this.byHosts, this.byHostsOldest, PairingTable.hostKey(c, xid), tx);
      if (c.connId !== null) this.noteConnKey(c.connId, key);
    }
    this.pendingQueue.push(tx);
    this.evictOverflow();
    return { tx, flags, retransmitOf };
  }

  /** `c` is the conversation seen from the call's side (client = the reply's destination). */
  reply(c: Conversation, xid: number, frameNo: number, ts: Timestamp): ReplyResult {
    this.counters.replies++;
    this.sweep(ts);
    const key = PairingTable.key(c, xid);
    const tx = this.byKey.get(key);
    if (tx && c.transport === 'tcp') {
      // byHosts only serves pending calls: an answered one would stay pinned there until pushed out
      const hk = PairingTable.hostKey(c, xid);
      if (this.byHosts.get(hk) === tx) this.byHosts.delete(hk);
    }
    if (!tx) {
      this.counters.orphanReplies++;
      return { tx: null, flags: ['orphan_reply'] };
    }
    tx.replyCount++;
    if (tx.state === 'answered') {
      this.counters.duplicateReplies++;
      return { tx, flags: ['duplicate_reply'] };
    }
    const flags: PairingFlag[] = [];
    if (tx.state === 'unanswered') {
      flags.push('late_reply');
      this.counters.unanswered--;
    }
    tx.state = 'answered';
    tx.replyFrame = frameNo;
    tx.replyTs = ts;
    tx.rtt = tsDiffSeconds(tx.callTs, ts);
    this.counters.pairs++;
    this.rememberAnswered(key, tx);
    return { tx, flags };
  }

  /** Declare calls unanswered once `replyTimeout` of capture time has passed since their last transmission. */
  sweep(now: Timestamp): void {
    const q = this.pendingQueue;
    while (this.pendingHead < q.length) {
      const tx = q[this.pendingHead];
      if (tx.state === 'pending') {
        if (tsDiffSeconds(tx.lastCallTs, now) <= this.opts.replyTimeout) break;
        this.resolveUnanswered(tx);
      }
      q[this.pendingHead] = undefined as unknown as Transaction; // not kept alive until the next compaction
      this.pendingHead++;
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > q.length) {
      q.splice(0, this.pendingHead);
      this.pendingHead = 0;
    } else if (q.length - this.pendingHead > 2 * this.byKey.size + 1024) {
      // one old call still pending keeps every later transaction (answered since, forgotten with its connection)
      // in the queue for up to replyTimeout of capture time: keep only the pending ones, which the table bounds
      const kept = q.slice(this.pendingHead).filter((tx) => tx.state === 'pending');
      q.length = 0;
      for (const tx of kept) q.push(tx);
      this.pendingHead = 0;
    }
  }

  /** End of capture: every call still pending is unanswered. */
  finish(): void {
    for (let i = this.pendingHead; i < this.pendingQueue.length; i++) {
      const tx = this.pendingQueue[i];
      if (tx.state === 'pending') this.resolveUnanswered(tx);
    }
    this.pendingQueue.length = 0;
    this.pendingHead = 0;
  }

  /**
   * A TCP connection ended (FIN, RST, idle, eviction): no call or reply can carry its connection id again (a new
   * connection on the same 4-tuple gets the next `#n`), so its answered and unanswered transactions can never match
   * anything more and are forgotten now instead of filling the table until evicted. Pending calls stay: they are
   * resolved by the reply timeout, eviction or the end, exactly as before, so output does not change.
   */
  closeConnection(connId: string): void {
    const entry = this.connKeys.get(connId);
    if (!entry) return;
    this.connKeys.delete(connId);
    for (const key of entry.keys) {
      const tx = this.byKey.get(key);
      if (tx && tx.state !== 'pending') this.byKey.delete(key);
    }
  }

  /**
   * An answered transaction serves only to flag a duplicate reply or XID reuse; a UDP one is never forgotten with
   * a connection, so without this bound the table would fill with answered calls (about 900 bytes each with their
   * detached arguments: 200 000 of them are 180 MB of heap). Entries forgotten or replaced since count until
   * passed, so fewer than maxAnswered may be remembered, never more.
   */
  private rememberAnswered(key: string, tx: Transaction): void {
    const max = this.opts.maxAnswered ?? this.opts.maxTransactions;
    this.answeredKeys.push(key);
    this.answeredIds.push(tx.id);
    while (this.answeredKeys.length - this.answeredHead > max) {
      const k = this.answeredKeys[this.answeredHead];
      const id = this.answeredIds[this.answeredHead];
      this.answeredHead++;
      const old = this.byKey.get(k);
      if (old !== undefined && old.id === id && old.state === 'answered') {
        this.byKey.delete(k);
        this.counters.forgottenAnswered++;
      }
    }
    if (this.answeredHead > 1024 && this.answeredHead * 2 > this.answeredKeys.length) {
      this.answeredKeys = this.answeredKeys.slice(this.answeredHead);
      this.answeredIds = this.answeredIds.slice(this.answeredHead);
      this.answeredHead = 0;
    }
  }

  private noteConnKey(connId: string, key: string): void {
    let entry = this.connKeys.get(connId);
    if (!entry) {
      entry = { keys: [], compactAt: 1024 };
      this.connKeys.set(connId, entry);
    }
    entry.keys.push(key);
    if (entry.keys.length >= entry.compactAt) {
      // a long-lived connection: keep only the keys still in the table (at most maxTransactions), amortised O(1)
      entry.keys = entry.keys.filter((k) => this.byKey.has(k));
      entry.compactAt = Math.max(1024, entry.keys.length * 2);
    }
    // bounded like the table itself: connections whose keys were all evicted are dropped oldest first
    while (this.connKeys.size > this.opts.maxTransactions) if (!this.connKeysOldest.shift()) break;
  }

  private resolveUnanswered(tx: Transaction): void {
    tx.state = 'unanswered';
    this.counters.unanswered++;
    this.onResolved(tx);
  }

  private evictOverflow(): void {
    while (this.byKey.size > this.opts.maxTransactions) {
      const oldest = this.byKeyOldest.shift();
      if (!oldest) return;
      const tx = oldest[1];
      this.counters.evicted++;
      if (tx.state === 'pending') {
        this.counters.evictedPending++;
        tx.evicted = true;
        this.resolveUnanswered(tx);
      }
    }
  }

  private setBounded(map: Map<string, Transaction>, oldest: MapQueue<string, Transaction>, key: string, tx: Transaction): void {
    map.delete(key);
    map.set(key, tx);
    while (map.size > this.opts.maxTransactions) {
      if (!oldest.shift()) return;
    }
  }
}
