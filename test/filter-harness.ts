/**
 * For the display-filter tests (filter-*.test.ts): the events of a real fixture as the pipeline releases them,
 * with the pipeline's learned names for `path`; the same fixture with frames repeated, dropped or cut (to make
 * retransmissions, duplicate and orphan replies, unanswered calls and truncated messages out of real traffic);
 * and the transactions of an event list.
 */
import { Pipeline, DEFAULT_PIPELINE, type PipelineOptions } from '../src/pipeline';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../src/rpc/rpc-event';
import type { RawFrame } from '../src/capture/raw-frame';
import type { FilterContext } from '../src/filter/evaluate';
import { readFrames } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';

export interface Run {
  /** Every released event (RPC messages and, with allFrames, other frames), in output order. */
  all: PipelineEvent[];
  events: RpcEvent[];
  /** The path lookup of the pipeline's learned names (as they stand at the end). */
  ctx: FilterContext;
  pipeline: Pipeline;
  /** What the run was made of, to run it again (e.g. with a display filter fed as events are released). */
  frames: RawFrame[];
  opts: PipelineOptions;
}

/** Runs the pipeline over frames; `listen` sees each event as it is released (with the pipeline's path lookup). */
export function runFrames(frames: RawFrame[], options: Partial<PipelineOptions> = {}, listen?: (ev: PipelineEvent, ctx: FilterContext) => void): Run {
  const all: PipelineEvent[] = [];
  const opts = { ...DEFAULT_PIPELINE, ...options };
  const ctx: FilterContext = { path: (h) => pipeline.names.path(h.hex) };
  const pipeline: Pipeline = new Pipeline(opts, (ev) => {
    all.push(ev);
    listen?.(ev, ctx);
  });
  for (const f of frames) pipeline.pushFrame(f);
  pipeline.finish();
  return { all, events: all.filter(isRpcEvent), ctx, pipeline, frames, opts };
}

const cache = new Map<string, RawFrame[]>();

export async function fixtureFrames(name: string): Promise<RawFrame[]> {
  let f = cache.get(name);
  if (!f) {
    f = await readFrames(fixture(name));
    cache.set(name, f);
  }
  return f;
}

export async function runFixture(name: string, opts: Partial<PipelineOptions> = {}): Promise<Run> {
  return runFrames(await fixtureFrames(name), opts);
}

export interface Edit {
  /** Frame numbers (of the original capture) to leave out. */
  drop?: number[];
  /** Frame numbers to send twice (the copy right after the original). */
  repeat?: number[];
  /** Frame numbers to cut to this many bytes (as a snaplen would). */
  cut?: Record<number, number>;
  /** Frame numbers to send again at the end, this many seconds after the last frame (the original stays). */
  again?: Record<number, number>;
  /** Frame numbers to move to the end, this many seconds after the last frame. */
  later?: Record<number, number>;
}

function shifted(f: RawFrame, base: RawFrame, seconds: number): RawFrame {
  return { ...f, ts: { sec: base.ts.sec + seconds, nsec: base.ts.nsec } };
}

/** A fixture's frames edited, then renumbered 1..n. */
export async function editedFrames(name: string, edit: Edit): Promise<RawFrame[]> {
  const out: RawFrame[] = [];
  const all = await fixtureFrames(name);
  const last = all[all.length - 1];
  const tail: RawFrame[] = [];
  for (const [n, secs] of Object.entries(edit.again ?? {})) tail.push(shifted(all[Number(n) - 1], last, secs));
  for (const [n, secs] of Object.entries(edit.later ?? {})) tail.push(shifted(all[Number(n) - 1], last, secs));
  for (const f of all) {
    if (edit.drop?.includes(f.frameNo) || (edit.later && f.frameNo in edit.later)) continue;
    const n = edit.cut?.[f.frameNo];
    const g = n === undefined ? f : { ...f, bytes: f.bytes.subarray(0, n), capLen: Math.min(n, f.capLen) };
    out.push(g);
    if (edit.repeat?.includes(f.frameNo)) out.push({ ...g });
  }
  out.push(...tail.sort((a, b) => a.ts.sec - b.ts.sec));
  return out.map((f, i) => ({ ...f, frameNo: i + 1 }));
}

export interface Tx {
  calls: RpcEvent[];
  replies: RpcEvent[];
}

/** The transactions of an event list: messages grouped by Transaction (an orphan reply alone), in order. */
export function transactions(events: RpcEvent[]): Tx[] {
  const byId = new Map<number, Tx>();
  const out: Tx[] = [];
  for (const ev of events) {
    let t = ev.tx ? byId.get(ev.tx.id) : undefined;
    if (!t) {
      t = { calls: [], replies: [] };
      out.push(t);
      if (ev.tx) byId.set(ev.tx.id, t);
    }
    (ev.msg.type === 'call' ? t.calls : t.replies).push(ev);
  }
  return out;
}

/** Frame numbers of events, for readable assertions. */
export const frames = (evs: readonly PipelineEvent[]): number[] => evs.map((e) => (isRpcEvent(e) ? e.record.frameNo : e.frame.frameNo));
