/**
 * Reads the tshark ground truth beside each fixture (NAME.tsv: `tshark -2 -T fields -E header=y -E occurrence=a
 * -E aggregator=,`) into one expected message per RPC message. A frame carrying several RPC messages has its
 * values comma-joined in order; optional fields (rpc.repframe, rpc.state_accept, ...) appear only for the
 * messages that have them, so they are dealt out in order to the messages of the matching kind.
 */
import { readFileSync } from 'node:fs';

export interface ExpectedMessage {
  frame: number;
  xid: number;
  type: 'call' | 'reply';
  program: number | null;
  version: number | null;
  procedure: number | null;
  /** tshark's rpc.repframe on replies (the call's frame) or null when it found no call. */
  callFrame: number | null;
  /** tshark's rpc.reqframe on calls (the reply's frame). */
  replyFrame: number | null;
  replyStat: number | null;
  acceptStat: number | null;
}

export interface TsvRow {
  fields: Record<string, string>;
}

export function readTsv(path: string): TsvRow[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const cols = line.split('\t');
    const fields: Record<string, string> = {};
    header.forEach((h, i) => (fields[h] = cols[i] ?? ''));
    return { fields };
  });
}

function list(s: string | undefined): string[] {
  return s ? s.split(',') : [];
}

/** Expected messages of every row that tshark decoded as RPC (rows with no rpc.xid are "RPC Continuation"). */
export function expectedMessages(path: string): { messages: ExpectedMessage[]; continuationFrames: number[] } {
  const messages: ExpectedMessage[] = [];
  const continuationFrames: number[] = [];
  for (const { fields: f } of readTsv(path)) {
    const frame = Number(f['frame.number']);
    const xids = list(f['rpc.xid']);
    if (xids.length === 0) {
      continuationFrames.push(frame);
      continue;
    }
    const n = xids.length;
    const types = list(f['rpc.msgtyp']);
    const progs = list(f['rpc.program']);
    const procs = list(f['rpc.procedure']);
    const versAll = list(f['rpc.programversion']);
    // rpc.programversion appears twice per message of a dissected program (RPC and program subtrees)
    const vers = versAll.length === 2 * n ? versAll.filter((_, i) => i % 2 === 0) : versAll.length === n ? versAll : null;
    const repframes = list(f['rpc.repframe']);
    const reqframes = list(f['rpc.reqframe']);
    const replyStats = list(f['rpc.replystat']);
    const accepts = list(f['rpc.state_accept']);
    const nReplies = types.filter((t) => t === '1').length;
    const nCalls = n - nReplies;
    let ri = 0;
    let ci = 0;
    let ai = 0;
    for (let i = 0; i < n; i++) {
      const type = types[i] === '0' ? 'call' : 'reply';
      const m: ExpectedMessage = {
        frame,
        xid: Number(xids[i]),
        type,
        program: progs.length === n ? Number(progs[i]) : null,
        version: vers ? Number(vers[i]) : null,
        procedure: procs.length === n ? Number(procs[i]) : null,
        callFrame: null,
        replyFrame: null,
        replyStat: null,
        acceptStat: null,
      };
      if (type === 'reply') {
        if (repframes.length === nReplies) m.callFrame = Number(repframes[ri]);
        m.replyStat = replyStats.length === nReplies ? Number(replyStats[ri]) : null;
        if (m.replyStat === 0 && ai < accepts.length) m.acceptStat = Number(accepts[ai++]);
        ri++;
      } else {
        if (reqframes.length === nCalls) m.replyFrame = Number(reqframes[ci]);
        ci++;
      }
      messages.push(m);
    }
  }
  return { messages, continuationFrames };
}
