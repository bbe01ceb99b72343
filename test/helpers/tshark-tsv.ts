/**
 * tshark's ground truth beside each fixture (NAME.tsv: `tshark -2 -T fields -E header=y -E occurrence=a
 * -E aggregator=,`), one row per frame that carries RPC, read two ways:
 *  - frame level (frame.number, frame.time_epoch with 9 decimals, frame.len, frame.cap_len), for the capture
 *    readers: frameTruth, truthMismatches;
 *  - one expected message per RPC message, for the conformance tests: expectedMessages. A frame carrying several
 *    RPC messages has its values comma-joined in order; optional fields (rpc.repframe, rpc.state_accept, ...)
 *    appear only for the messages that have them, so they are dealt out in order to the messages of the matching
 *    kind.
 */
import { formatEpoch, type RawFrame } from '../../src/capture/raw-frame';
import { fixture, readTsv } from './fixtures';

// ------------------------------------------------------------------------------------------------ frames

export interface FrameTruth {
  frameNo: number;
  /** frame.time_epoch as tshark prints it: seconds with exactly 9 decimals. */
  epoch: string;
  len: number;
  capLen: number;
}

/** The frame-level columns of fixtures/NAME.tsv (one row per frame that carries RPC). */
export function frameTruth(captureName: string): FrameTruth[] {
  const columns = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len'];
  return readTsv(fixture(`${captureName}.tsv`), columns).map((row) => ({
    frameNo: Number(row['frame.number']),
    epoch: row['frame.time_epoch'],
    len: Number(row['frame.len']),
    capLen: Number(row['frame.cap_len']),
  }));
}

/**
 * Differences between the frames read and tshark's truth, as readable lines (empty when they agree): frames
 * must be numbered 1..n in order, and every truth row must match its frame exactly.
 */
export function truthMismatches(captureName: string, frames: RawFrame[]): string[] {
  const out: string[] = [];
  frames.forEach((f, i) => {
    if (f.frameNo !== i + 1) out.push(`frame at index ${i} is numbered ${f.frameNo}`);
    if (f.capLen !== f.bytes.length) out.push(`frame ${f.frameNo}: capLen ${f.capLen} but ${f.bytes.length} bytes`);
  });
  const rows = frameTruth(captureName);
  if (rows.length === 0) out.push(`${captureName}.tsv has no rows`);
  for (const row of rows) {
    const f = frames[row.frameNo - 1];
    if (!f) {
      out.push(`frame ${row.frameNo} missing`);
      continue;
    }
    const got = { epoch: formatEpoch(f.ts), len: f.origLen, capLen: f.capLen };
    const want = { epoch: row.epoch, len: row.len, capLen: row.capLen };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      out.push(`frame ${row.frameNo}: got ${JSON.stringify(got)}, tshark ${JSON.stringify(want)}`);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ RPC messages

/** What tshark and rpcsnoop's JSON both say of every RPC message: where it is and what it calls. */
export interface RpcMessageId {
  frame: number;
  xid: number;
  type: 'call' | 'reply';
  program: number | null;
  version: number | null;
  procedure: number | null;
}

export interface ExpectedMessage extends RpcMessageId {
  /** tshark's rpc.repframe on replies (the call's frame) or null when it found no call. */
  callFrame: number | null;
  /** tshark's rpc.reqframe on calls (the reply's frame). */
  replyFrame: number | null;
  replyStat: number | null;
  acceptStat: number | null;
}

function list(s: string | undefined): string[] {
  return s ? s.split(',') : [];
}

/** Expected messages of every row that tshark decoded as RPC (rows with no rpc.xid are "RPC Continuation"). */
export function expectedMessages(path: string): { messages: ExpectedMessage[]; continuationFrames: number[] } {
  const messages: ExpectedMessage[] = [];
  const continuationFrames: number[] = [];
  for (const f of readTsv(path)) {
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
