/**
 * The TUI's ladder view model: one client's conversation with the RPC services it called — portmap/rpcbind, mountd,
 * nfsd, others — as a sequence diagram: one column (a vertical lane) per party, one line per message with an arrow
 * from the client's lane to the server's (a call, `-->`) or back (a reply, `<--`), and the label beside the lanes.
 * Pure: the blessed view passes messages and a width and draws the lines it gets; `severity` picks a colour.
 *
 *      time  client    portmap   mountd    nfsd
 *            |         |         |         |
 *  0.000000  |-------->|         |         |  GETPORT MOUNT v3 UDP
 *  0.000142  |<--------|         |         |  port 20048 (0.142ms)
 *  0.004427  |------------------>|         |  MNT /export
 *  0.004588  |<------------------|         |  MNT3_OK FH=412E (0.161ms)
 *
 * Arrow shafts say what happened even without colour: `-` a plain message, `=` an error reply, `~` a
 * retransmission, a duplicate or late reply, or a call that got no reply. The selected row's lines start with `>`.
 *
 * Input is LadderMessage, neutral, so that the view can feed it from the store's rows (ladderMessages,
 * recentLadderMessages) or from compact rows that no longer hold the decoded events (large-file mode).
 * Bounded: ladderLines considers the most recent `maxMessages` (default 2000) messages of the client, and says so
 * in its first line when it leaves some out. Every string from the wire (labels, addresses) is shown with its
 * control characters escaped. Widths count UTF-16 code units as columns, as view-model.ts does.
 */
import { FileHandle, isErrorReply, tsDiffSeconds, type FormatContext, type RpcEvent, type Timestamp } from '../src/index';
import { rowState, type TxRow } from './store';
import { formatRtt, keyArgument, replyStatus, type Severity } from './view-model';
import { PORTMAP_PROGRAM, rowClient } from './ladder-columns';
import { DEFAULT_LADDER_MESSAGES } from './ladder-lines';

export { ladderClients, ladderColumns, rowClient, MOUNT_PROGRAM, NFS_PROGRAM, PORTMAP_PROGRAM, type LadderClient, type LadderColumn } from './ladder-columns';
export { ladderLines, DEFAULT_LADDER_MESSAGES, type LadderLine, type LadderOptions } from './ladder-lines';
export { explainNotes } from './ladder-notes';

/**
 * One message of the ladder. Differs from the first sketch in two ways: `program` and `version` may be null (a
 * reply whose call is not in the capture has neither), and `severity` replaces `error: boolean`, because a line
 * needs more than two states (an error reply; a retransmission, duplicate reply or unanswered call; a call still
 * waiting) and the view maps it straight to a colour.
 */
export interface LadderMessage {
  /** The store row (TxRow.id) the message belongs to: selecting a line selects that row. */
  rowId: number;
  frame: number;
  ts: Timestamp;
  isCall: boolean;
  /** The calling side's address (a reply's destination). */
  client: string;
  /** The called side's address and port (a reply's source). */
  server: string;
  serverPort: number;
  program: number | null;
  /** `PORTMAP`, `MOUNT`, `NFS`, the number for an unnamed program, `?` when unknown. */
  programName: string;
  version: number | null;
  procedure: string;
  /** Raw text (ladderLines escapes it): a call's procedure and key argument, a reply's status, answer and RTT. */
  label: string;
  severity: Severity;
}

// ------------------------------------------------------------------------------------------------ from rows

const MAX_HANDLE_DEPTH = 2;

/** The file handle a reply hands out (MNT's root handle, LOOKUP's object), looked for near the top of the result
 *  only: lists (READDIRPLUS entries) hold handles that are not "the answer". */
function answerHandle(v: unknown, depth = 0): FileHandle | null {
  if (v instanceof FileHandle) return v;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array || depth >= MAX_HANDLE_DEPTH) return null;
  for (const x of Object.values(v as Record<string, unknown>)) {
    const h = answerHandle(x, depth + 1);
    if (h) return h;
  }
  return null;
}

/** What a reply answers beyond its status: a port (PORTMAP GETPORT), an address (RPCBIND GETADDR), a handle. */
function replyAnswer(ev: RpcEvent): string {
  const r = ev.result;
  if (r === null || typeof r !== 'object') return '';
  const o = r as Record<string, unknown>;
  if (typeof o.uaddr === 'string') {
    if (o.uaddr === '') return 'not registered';
    if (typeof o.port !== 'number' || typeof o.address !== 'string') return o.uaddr;
    // the usual answer names the server itself: its port is what matters
    return o.address === ev.record.src ? `port ${o.port}` : `${o.address} port ${o.port}`;
  }
  if (ev.prog === PORTMAP_PROGRAM && typeof o.port === 'number') return o.port === 0 ? 'port 0: not registered' : `port ${o.port}`;
  const h = answerHandle(r);
  return h ? `FH=${h.hash}` : '';
}

const PROTOCOLS: Readonly<Record<number, string>> = { 6: 'TCP', 17: 'UDP' };

/** A rpcbind lookup's question in a few words (`MOUNT v3 UDP`, `NFS v3 tcp`): the ladder's label column is narrow,
 *  and keyArgument's `prog=100005 (MOUNT) vers=3 proto=UDP` loses its end in it. Null for any other call. */
function lookupArgument(ev: RpcEvent, fmt: FormatContext): string | null {
  if (ev.prog !== PORTMAP_PROGRAM || ev.args === null || typeof ev.args !== 'object') return null;
  const a = ev.args as Record<string, unknown>;
  const prog = a.prog ?? a.r_prog;
  const vers = a.vers ?? a.r_vers;
  if (typeof prog !== 'number' || typeof vers !== 'number') return null;
  const name = fmt.programName(prog);
  const how = typeof a.prot === 'number' ? (PROTOCOLS[a.prot] ?? `proto ${a.prot}`) : typeof a.r_netid === 'string' ? a.r_netid : '';
  return `${name && name !== '?' ? name : prog} v${vers}${how ? ` ${how}` : ''}`;
}

function baseMessage(row: TxRow, ev: RpcEvent, isCall: boolean): Omit<LadderMessage, 'label' | 'severity'> {
  const rec = ev.record;
  return {
    rowId: row.id,
    frame: rec.frameNo,
    ts: rec.ts,
    isCall,
    client: isCall ? rec.src : rec.dst,
    server: isCall ? rec.dst : rec.src,
    serverPort: isCall ? rec.dport : rec.sport,
    program: ev.prog,
    programName: ev.programName ?? (ev.prog !== null ? String(ev.prog) : '?'),
    version: ev.vers,
    procedure: ev.procedureName ?? (ev.proc !== null ? `proc-${ev.proc}` : '?'),
  };
}

/**
 * The ladder messages of a store row: its call (and retransmissions) and its replies, in frame order. A call's
 * label is its procedure and key argument (view-model's keyArgument); a reply's is its status, what it answers
 * (port, address, handle) and the RTT. A frame row (`-a`) has none.
 */
export function ladderMessages(row: TxRow, fmt: FormatContext): LadderMessage[] {
  if (row.kind === 'frame') return [];
  const out: LadderMessage[] = [];
  const state = rowState(row);
  row.calls.forEach((ev, i) => {
    const base = baseMessage(row, ev, true);
    const key = lookupArgument(ev, fmt) ?? keyArgument(ev, fmt);
    let label = key ? `${base.procedure} ${key}` : base.procedure;
    let severity: Severity = 'ok';
    if (i > 0) {
      label += ' (retransmit)';
      severity = 'warning';
    } else if (row.replies.length === 0 && state === 'unanswered') {
      label += ' (no reply)';
      severity = 'warning';
    } else if (row.replies.length === 0 && state === 'pending') {
      severity = 'pending';
    }
    out.push({ ...base, label, severity });
  });
  const tx = row.calls[0]?.tx ?? row.replies[0]?.tx ?? null;
  row.replies.forEach((ev, i) => {
    const status = replyStatus(ev);
    const answer = replyAnswer(ev);
    const words = [status === 'OK' && answer ? '' : status, answer].filter((s) => s !== '');
    if (row.kind === 'orphan') words.unshift('(call not seen)');
    // the first reply's RTT as pairing measured it; a later (duplicate) reply's from the same first transmission
    const rtt = tx ? (i === 0 && tx.rtt !== null ? tx.rtt : tsDiffSeconds(tx.callTs, ev.record.ts)) : null;
    if (rtt !== null && row.kind !== 'orphan') words.push(`(${formatRtt(rtt)})`);
    let severity: Severity = isErrorReply(ev) ? 'error' : 'ok';
    if (ev.flags.includes('duplicate_reply')) words.push('(duplicate)');
    else if (ev.flags.includes('late_reply')) words.push('(late)');
    if (severity === 'ok' && (ev.flags.includes('duplicate_reply') || ev.flags.includes('late_reply'))) severity = 'warning';
    out.push({ ...baseMessage(row, ev, false), label: words.join(' '), severity });
  });
  return out.sort((a, b) => a.frame - b.frame);
}

export interface RecentMessages {
  /** Oldest first. */
  messages: LadderMessage[];
  /** The client's messages in the rows (all of them, counted without formatting). */
  total: number;
}

/**
 * The client's most recent `max` ladder messages (default DEFAULT_LADDER_MESSAGES) from the store's rows (oldest
 * first, as TransactionStore.rows() gives them). Only the rows kept are formatted: O(rows) to find and count them,
 * plus O(max) labels.
 */
export function recentLadderMessages(rows: readonly TxRow[], client: string, fmt: FormatContext, max = DEFAULT_LADDER_MESSAGES): RecentMessages {
  const cap = Math.max(1, Math.floor(max));
  let total = 0;
  const picked: TxRow[] = [];
  let kept = 0;
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    if (r.kind === 'frame' || rowClient(r) !== client) continue;
    const n = r.calls.length + r.replies.length;
    total += n;
    if (kept < cap) {
      picked.push(r);
      kept += n;
    }
  }
  // rows are in the order of their first message; the ladder is in frame order
  const messages = picked
    .reverse()
    .flatMap((r) => ladderMessages(r, fmt))
    .sort((a, b) => a.frame - b.frame);
  return { messages: messages.slice(Math.max(0, messages.length - cap)), total };
}
