/**
 * Compares `rpcsnoop --json` with tshark's decode of the same capture (the NAME.tsv ground truth): every RPC
 * message tshark finds must be found by rpcsnoop with the same frame, xid, type, program, version, procedure,
 * call frame and accept status. Messages rpcsnoop finds that tshark does not are returned for the caller to
 * assert (tshark misses orphan replies and unknown programs; see fixtures/README.md).
 */
import { spawnSync } from 'node:child_process';
import { BIN } from './fixtures';
import { expectedMessages, type ExpectedMessage, type RpcMessageId } from './tshark-tsv';

/** One line of `rpcsnoop --json`. */
export interface JsonMessage extends RpcMessageId {
  callFrame?: number | null;
  replyFrame?: number | null;
  replyStat?: string;
  acceptStat?: string;
  rejectStat?: string;
  flags: string[];
  truncated: boolean;
  [k: string]: unknown;
}

export function runJson(capture: string, extra: string[] = []): { messages: JsonMessage[]; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, '-r', capture, '--json', ...extra], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const messages = r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JsonMessage);
  return { messages, stderr: r.stderr, status: r.status };
}

const ACCEPT = ['SUCCESS', 'PROG_UNAVAIL', 'PROG_MISMATCH', 'PROC_UNAVAIL', 'GARBAGE_ARGS', 'SYSTEM_ERR'];

export interface Comparison {
  /** Human-readable mismatches; empty when rpcsnoop agrees with tshark on every message tshark found. */
  mismatches: string[];
  /** Messages rpcsnoop found that tshark did not. */
  extra: JsonMessage[];
  matched: number;
  expected: ExpectedMessage[];
}

function describe(m: { frame: number; xid: number; type: string }): string {
  return `frame ${m.frame} ${m.type} xid 0x${m.xid.toString(16).padStart(8, '0')}`;
}

export function compare(ours: JsonMessage[], tsvPath: string): Comparison {
  const { messages: expected } = expectedMessages(tsvPath);
  const byKey = new Map<string, JsonMessage[]>();
  for (const m of ours) {
    const k = `${m.frame}|${m.xid}|${m.type}`;
    const l = byKey.get(k);
    if (l) l.push(m);
    else byKey.set(k, [m]);
  }
  const used = new Set<JsonMessage>();
  const mismatches: string[] = [];
  for (const e of expected) {
    const cands = (byKey.get(`${e.frame}|${e.xid}|${e.type}`) ?? []).filter((m) => !used.has(m));
    const m = cands[0];
    if (!m) {
      mismatches.push(`${describe(e)}: not found by rpcsnoop`);
      continue;
    }
    used.add(m);
    const diffs: string[] = [];
    const check = (what: string, want: unknown, got: unknown): void => {
      if (want !== null && want !== got) diffs.push(`${what} ${String(got)} != tshark ${String(want)}`);
    };
    check('program', e.program, m.program);
    check('version', e.version, m.version);
    check('procedure', e.procedure, m.procedure);
    if (e.type === 'reply') {
      check('callFrame', e.callFrame, m.callFrame);
      check('replyStat', e.replyStat === null ? null : e.replyStat === 0 ? 'MSG_ACCEPTED' : 'MSG_DENIED', m.replyStat);
      check('acceptStat', e.acceptStat === null ? null : ACCEPT[e.acceptStat], m.acceptStat);
    } else {
      check('replyFrame', e.replyFrame, m.replyFrame);
    }
    if (diffs.length) mismatches.push(`${describe(e)}: ${diffs.join('; ')}`);
  }
  const extra = ours.filter((m) => !used.has(m));
  return { mismatches, extra, matched: used.size, expected };
}
