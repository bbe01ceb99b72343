/**
 * The TUI's pure parts on a real capture, as the app wires them (tui/app.ts): a live pipeline (no hold) feeding a
 * TransactionStore, a RowView over it with the display filter's context, a FormatContext, a Controller. Frames go in
 * one at a time (step), to see the views as rows arrive and replies come later, or all at once (run).
 */
import { createFormatContext, DEFAULT_PIPELINE, defaultRegistry, Pipeline, type FilterContext, type FormatContext, type PipelineOptions, type RawFrame } from '../../src/index';
import { Controller, paneSizes } from '../../tui/controller';
import { RowView } from '../../tui/row-view';
import { TransactionStore, type TxRow } from '../../tui/store';
import { readFrames } from './capture-packets';
import { fixture } from './fixtures';
import { ethernet, frame, ipv4, udp } from './net-builders';
import { buildAcceptedReply, buildCall, XdrWriter } from './rpc-builders';

export interface TuiRun {
  frames: RawFrame[];
  pipeline: Pipeline;
  store: TransactionStore;
  rows: RowView;
  fmt: FormatContext;
  ctx: FilterContext;
  /** Frames fed so far. */
  fed: number;
  /** Feeds the next frame and re-reads pending transactions, as the app's tick does; false when none is left. */
  step(): boolean;
  /** Feeds frames until `n` were fed (throws when the capture has fewer). */
  feedTo(n: number): void;
  /** Feeds the remaining frames and ends the capture (pending calls become unanswered). */
  finish(): void;
  /** The row whose first message was completed by frame `frameNo`. */
  byFrame(frameNo: number): TxRow;
}

export interface RunOptions {
  maxRows?: number;
  allFrames?: boolean;
  /** Pipeline options over the app's (caps, onLimit). */
  pipeline?: Partial<PipelineOptions>;
}

export function tuiRun(frames: RawFrame[], opts: RunOptions = {}): TuiRun {
  const registry = defaultRegistry();
  const store = new TransactionStore(opts.maxRows === undefined ? {} : { maxRows: opts.maxRows });
  const pipeline = new Pipeline({ ...DEFAULT_PIPELINE, ...opts.pipeline, hold: false, allFrames: opts.allFrames ?? false }, (ev) => store.push(ev), registry);
  const fmt = createFormatContext(registry, pipeline.names, { showNames: true });
  const ctx: FilterContext = { path: (h) => pipeline.names.path(h.hex) };
  const run: TuiRun = {
    frames,
    pipeline,
    store,
    rows: new RowView(store, ctx),
    fmt,
    ctx,
    fed: 0,
    step() {
      if (run.fed >= frames.length) return false;
      pipeline.pushFrame(frames[run.fed++]);
      store.refresh();
      return true;
    },
    feedTo(n) {
      if (n > frames.length) throw new Error(`the capture has ${frames.length} frames, not ${n}`);
      while (run.fed < n) run.step();
    },
    finish() {
      while (run.step());
      pipeline.finish();
      store.refresh();
    },
    byFrame(frameNo) {
      const row = store.rows().find((r) => (r.calls[0] ?? r.replies[0] ?? null)?.record.frameNo === frameNo || r.other?.frame.frameNo === frameNo);
      if (!row) throw new Error(`no row starts at frame ${frameNo}`);
      return row;
    },
  };
  return run;
}

/** A run on a fixture, nothing fed yet. */
export async function fixtureRun(name: string, opts: RunOptions = {}): Promise<TuiRun> {
  return tuiRun(await readFrames(fixture(name)), opts);
}

/** A controller on a run, laid out for a width × height screen (as the app does before each draw). */
export function controllerOf(run: TuiRun, opts: { follow?: boolean; width?: number; height?: number } = {}): Controller {
  const c = new Controller(run.store, run.rows, run.fmt, (row) => row, { follow: opts.follow ?? false });
  c.sizes = paneSizes(opts.width ?? 80, opts.height ?? 24);
  return c;
}

/** The ids the view shows, in order. */
export function shownIds(rows: RowView): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) out.push(rows.idAt(i) as number);
  return out;
}

/** UDP datagrams between an NFS client (10.1.0.2) and server (10.1.0.1), one frame each, 1 ms apart. */
export function udpFrames(msgs: Array<{ from: 'c' | 's'; bytes: Uint8Array }>): RawFrame[] {
  return msgs.map((m, i) => {
    const [src, dst, sport, dport] = m.from === 'c' ? ['10.1.0.2', '10.1.0.1', 800, 2049] : ['10.1.0.1', '10.1.0.2', 2049, 800];
    return frame(ethernet(ipv4(udp(m.bytes, { sport, dport }), { src, dst, protocol: 17 })), 1, { frameNo: i + 1, sec: 1_700_000_000, nsec: i * 1_000_000 });
  });
}

/** An NFSv3 GETATTR call. */
export const getattrCall = (xid: number): { from: 'c'; bytes: Uint8Array } => ({ from: 'c', bytes: buildCall({ xid, prog: 100003, vers: 3, proc: 1, body: new XdrWriter().opaque(new Uint8Array(8).fill(7)).bytes() }) });
/** A PROG_UNAVAIL reply (an error reply with no body to decode). */
export const unavailReply = (xid: number): { from: 's'; bytes: Uint8Array } => ({ from: 's', bytes: buildAcceptedReply({ xid, acceptStat: 1 }) });
