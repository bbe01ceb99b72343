/**
 * `rpcsnoop --tui`: the terminal UI on a file being read or a live capture. Wires the core (through its public
 * API) to the store, the controller and one blessed box that paints the rendered lines.
 *
 * Terminal manners: blessed's alternate screen is left and the cursor and mouse restored on every way out — `q`,
 * Ctrl-C, SIGINT/SIGTERM/SIGHUP, an uncaught error (reported after the terminal is restored). Nothing may write on
 * the screen behind blessed's back: while the TUI runs, stderr writes are kept and printed after it ends. Redraws
 * driven by data happen at most 10 times a second; keys redraw at once.
 */
import { basename } from 'node:path';
import blessed from 'blessed';
import {
  createFormatContext,
  defaultRegistry,
  DEFAULT_PIPELINE,
  ExplainAnalyzer,
  isRpcEvent,
  LIMIT_SPECS,
  limitNotice,
  Pipeline,
  StatsAnalyzer,
  type LimitCount,
  type LimitNotice,
  type PipelineEvent,
  type PipelineOptions,
  type RawFrame,
} from '../src/index';
import { Controller, paneSizes, type Pane, type RowDetails as RowDetailsFn } from './controller';
import { Compactor } from './compact';
import { RowDetails } from './row-details';
import { Feeder, type FrameSource } from './feed';
import type { KeyInput } from './line-editor';
import { renderScreen, type ScreenInfo, type SideView } from './render-main';
import { RowView } from './row-view';
import { TransactionStore } from './store';
import { Theme } from './theme';
import { ladderView, statsView } from './side-views';

export interface TuiOptions {
  /** Live capture: follow the tail from the start, status "live". */
  live: boolean;
  /** -Y given on the command line: the starting display filter. */
  displayFilter: string | null;
  /** --names: learned paths after file handles. */
  names: boolean;
  /** Rows kept (the oldest are evicted beyond). */
  maxRows: number;
  /** -a: rows for frames that complete no RPC message. */
  allFrames: boolean;
  /** The capture file's path, to read rows again in large-file mode; null for live capture. */
  path: string | null;
  pipeline: Partial<PipelineOptions>;
  /** --max-endpoints: clients and servers the statistics view counts one by one. */
  maxEndpoints?: number;
}

/** Called when the TUI stops the source (q): a live capture stops capturing. */
export interface TuiSource extends FrameSource {
  stop?(): void;
}

const REDRAW_MS = 100;
const KEPT_STDERR = 64 * 1024;

export async function runTui(source: TuiSource, opts: TuiOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('rpcsnoop: --tui needs a terminal on standard input and output\n');
    return 2;
  }
  const registry = defaultRegistry();
  const store = new TransactionStore({ maxRows: opts.maxRows });
  const explain = new ExplainAnalyzer();
  let stats: StatsAnalyzer | null = null;
  const onEvent = (ev: PipelineEvent): void => {
    store.push(ev);
    explain.add(ev);
    if (isRpcEvent(ev)) stats?.add(ev);
  };
  // a cap reached: on the message line (once the controller exists; no frame is read before), then counted in the
  // status bar
  let limitReached: (n: LimitNotice) => void = () => {};
  const pipeline = new Pipeline({ ...DEFAULT_PIPELINE, ...opts.pipeline, hold: false, allFrames: opts.allFrames, onLimit: (n) => limitReached(n) }, onEvent, registry);
  // --stats names the files it lists by the paths the pipeline learned
  const statsAnalyzer = new StatsAnalyzer({
    names: { path: (hex: string) => pipeline.names.path(hex) },
    maxEndpoints: opts.maxEndpoints,
    onEndpointLimit: (ev) => limitReached(limitNotice('endpoints', statsAnalyzer.maxEndpoints, ev.record.frameNo, ev.record.ts)),
  });
  stats = statsAnalyzer;
  const limitCounts = (): LimitCount[] => [
    ...pipeline.limitCounts(),
    { limit: 'endpoints', option: LIMIT_SPECS.endpoints.option, value: statsAnalyzer.maxEndpoints, count: statsAnalyzer.endpointOverflow },
  ];
  const fmt = createFormatContext(registry, pipeline.names, { showNames: opts.names });
  const rows = new RowView(store, { path: (h) => pipeline.names.path(h.hex) });
  // large-file mode (compact.ts): settled rows of a capture file keep slim events and are read again when shown
  const compactor = new Compactor();
  let seekable: boolean | null = null;
  const noteFrame = (f: RawFrame): void => {
    seekable ??= f.position !== undefined;
    if (seekable) compactor.positions.note(f.frameNo, f.position);
  };
  store.onSettle = (row) => {
    if (seekable) compactor.compact(row);
  };
  let redrawSoon: () => void = () => {};
  const rowDetails = opts.path ? new RowDetails(opts.path, () => redrawSoon()) : null;
  const details: RowDetailsFn = (row) => (rowDetails ? rowDetails.get(row) : row);
  const ctl = new Controller(store, rows, fmt, details, { follow: opts.live });
  if (rowDetails) ctl.detailProblem = (row) => rowDetails.problem(row);
  limitReached = (n) => {
    ctl.limitReached(n);
    redrawSoon();
  };
  if (opts.displayFilter !== null) {
    ctl.act('filter');
    for (const ch of opts.displayFilter) ctl.key({ full: ch, ch });
    ctl.key({ full: 'enter' });
  }
  const theme = Theme.fromEnv();
  const views: { stats: SideView; ladder: SideView } = { stats: statsView(stats), ladder: ladderView(ctl, explain) };
  const info: ScreenInfo = { source: opts.live ? source.name : basename(source.name), frames: 0, mode: opts.live ? 'live' : 'reading' };

  const kept: string[] = [];
  let keptBytes = 0;
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (keptBytes < KEPT_STDERR) kept.push(s.slice(0, KEPT_STDERR - keptBytes));
    keptBytes += s.length;
    return true;
  }) as typeof process.stderr.write;

  const screen = blessed.screen({ smartCSR: true, autoPadding: false, warnings: false, title: 'rpcsnoop', fullUnicode: true, forceUnicode: true });
  const box = blessed.box({ top: 0, left: 0, width: '100%', height: '100%', tags: false, wrap: false, scrollable: false });
  screen.append(box);
  screen.enableMouse(box);

  let done = false;
  let exitCode = 0;
  let resolveDone: () => void = () => {};
  const finished = new Promise<void>((r) => (resolveDone = r));
  let feeder: Feeder | null = null;

  const draw = (): void => {
    if (done) return;
    const width = screen.width as number;
    const height = screen.height as number;
    ctl.sizes = paneSizes(width, height);
    info.frames = pipeline.counters.frames;
    info.limits = limitCounts();
    const lines = renderScreen(ctl, info, views, width, height);
    box.setContent(lines.map((l) => theme.paint(l, width)).join('\n'));
    screen.render();
  };
  let pending = false;
  redrawSoon = () => redraw();
  const redraw = (): void => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      draw();
    });
  };
  let seen = -1;
  const onData = (): void => {
    store.refresh();
    if (store.version === seen) return;
    seen = store.version;
    rows.sync();
  };

  const quit = (code = 0): void => {
    if (done) return;
    done = true;
    exitCode = code;
    feeder?.stop();
    source.stop?.();
    clearInterval(timer);
    screen.destroy();
    process.stderr.write = stderrWrite;
    for (const s of kept) stderrWrite(s);
    if (keptBytes > KEPT_STDERR) stderrWrite(`rpcsnoop: (${keptBytes - KEPT_STDERR} more bytes of messages dropped)\n`);
    resolveDone();
  };
  const onSignal = (): void => quit(130);
  const onFatal = (e: unknown): void => {
    quit(70);
    stderrWrite(`rpcsnoop: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(70);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  screen.on('keypress', (ch: string | undefined, key: { full?: string } | undefined) => {
    const k: KeyInput = { full: key?.full ?? ch ?? '', ch };
    const r = ctl.key(k);
    if (r === 'quit') quit(0);
    else if (r === 'redraw') {
      if (k.full === 'C-l') screen.realloc();
      draw();
    }
  });
  box.on('mouse', (data: { x: number; y: number; action: string }) => {
    const s = ctl.sizes;
    const listAt = 2;
    const detailAt = listAt + s.list + 1;
    const hexAt = detailAt + s.detail + 1;
    const pane: Pane | null = data.y >= listAt && data.y < listAt + s.list ? 'list' : data.y >= detailAt && data.y < detailAt + s.detail ? 'detail' : data.y >= hexAt && data.y < hexAt + s.hex ? 'hex' : null;
    if (pane === null || ctl.view !== 'main' || ctl.prompt) return;
    if (data.action === 'mousedown') {
      if (pane === 'list') ctl.clickList(data.y - listAt);
      else {
        ctl.focus = pane;
        if (pane === 'detail') {
          ctl.detailCursor = ctl.detailTop + (data.y - detailAt);
          ctl.hexAuto = true;
        }
      }
    } else if (data.action === 'wheelup' || data.action === 'wheeldown') {
      ctl.wheel(pane, data.action === 'wheelup' ? -1 : 1);
    } else return;
    draw();
  });
  screen.on('resize', () => draw());

  const timer = setInterval(() => {
    onData();
    draw();
  }, REDRAW_MS);

  draw();
  feeder = new Feeder(source, pipeline, () => {
    // the first rows of a file are drawn as soon as they exist; later slices wait for the redraw timer
    if (seen === -1 && store.size > 0) {
      onData();
      redraw();
    }
  }, noteFrame);
  feeder
    .run()
    .then((r) => {
      if (done) return;
      onData();
      info.mode = 'done';
      if (r.error) {
        info.problem = r.error;
        ctl.notice = `input: ${r.error}`;
      }
      draw();
    })
    .catch(onFatal);

  await finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  process.off('uncaughtException', onFatal);
  process.off('unhandledRejection', onFatal);
  return exitCode;
}
