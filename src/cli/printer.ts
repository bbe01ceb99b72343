/**
 * Turns pipeline events into output lines for the chosen mode: snoop-style summary lines (default), `-V` (one
 * line per layer after 32 underscores), `-v` (verbose blocks per layer), or JSON Lines. Holds the per-run
 * formatting state (the time column, the clock, the last frame shown) — one Printer per run, no module state.
 * Text lines have control characters escaped (JSON escapes them itself).
 * The JSON and verbose formatters are loaded by createPrinter only for their mode, so that summary output, the
 * default, starts without them (docs/performance.md "Time to the first line").
 */
import type { RawFrame } from '../capture/raw-frame';
import { escapeControls } from '../format/escape';
import type * as JsonFormat from '../format/json';
import type * as LayerDetail from '../format/layer-detail';
import { frameAddresses, layerSummaries, vlanOf } from '../format/layer-lines';
import type * as ProgramDetail from '../format/program-detail';
import type * as RpcDetail from '../format/rpc-detail';
import { rpcLine } from '../format/rpc-line';
import { programSummary, summaryText } from '../format/summary-line';
import { SummaryPrefixer, TimeColumn, type TimeMode } from '../format/summary-prefix';
import type * as VerboseBlock from '../format/verbose-block';
import type { FormatContext } from '../rpc/registry';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../rpc/rpc-event';

export type OutputMode = 'summary' | 'layers' | 'verbose' | 'json';

const RULE = '_'.repeat(32);

/** The formatting modules of the modes that need more than the summary line's. */
export interface ModeFormatters {
  json?: typeof JsonFormat;
  verbose?: { layer: typeof LayerDetail; rpc: typeof RpcDetail; program: typeof ProgramDetail; block: typeof VerboseBlock };
}

/** Loads what `mode` formats with, then makes its Printer. */
export async function createPrinter(mode: OutputMode, timeMode: TimeMode, f: FormatContext, showRtt: boolean, timeZone?: string): Promise<Printer> {
  const fmt: ModeFormatters = {};
  if (mode === 'json') fmt.json = await import('../format/json');
  if (mode === 'verbose') {
    const [layer, rpc, program, block] = await Promise.all([import('../format/layer-detail'), import('../format/rpc-detail'), import('../format/program-detail'), import('../format/verbose-block')]);
    fmt.verbose = { layer, rpc, program, block };
  }
  return new Printer(mode, timeMode, f, fmt, timeZone, showRtt);
}

export class Printer {
  private readonly time: TimeColumn;
  private readonly clock: LayerDetail.WallClock | null;
  private readonly prefixer = new SummaryPrefixer();
  /** Several messages can complete in one TCP segment: its lower layers are shown once, before the first. */
  private lastFrame: RawFrame | null = null;

  constructor(
    private readonly mode: OutputMode,
    timeMode: TimeMode,
    private readonly f: FormatContext,
    /** Must hold the mode's formatters (createPrinter loads them). */
    private readonly fmt: ModeFormatters,
    timeZone?: string,
    /** Append the response time to reply lines (` rtt=0.183ms`): on by default when capturing live. */
    private readonly showRtt = false,
  ) {
    if ((mode === 'json' && !fmt.json) || (mode === 'verbose' && !fmt.verbose)) throw new TypeError(`Printer: the ${mode} formatters are not loaded`);
    this.time = new TimeColumn(timeMode);
    this.clock = fmt.verbose ? fmt.verbose.layer.wallClock(timeZone) : null;
  }

  /** The lines for one event (several for -V and -v). */
  lines(ev: PipelineEvent): string[] {
    if (!isRpcEvent(ev)) return this.otherFrame(ev.frame);
    switch (this.mode) {
      case 'json':
        return [(this.fmt.json as typeof JsonFormat).eventToJsonLine(ev, this.f)];
      case 'summary':
        return [escapeControls(this.prefix(ev.record.frameNo, ev.record.ts, ev.record.src, ev.record.dst, vlanText(ev.frame)) + summaryText(ev, this.f) + this.rtt(ev))];
      case 'layers':
        return this.layers(ev).map((l) => escapeControls(l));
      case 'verbose':
        return this.verbose(ev).map((l) => escapeControls(l, true));
    }
  }

  /** ` rtt=0.183ms` for a reply paired with its call (from the call's first transmission), when asked for. */
  private rtt(ev: RpcEvent): string {
    if (!this.showRtt || ev.msg.type !== 'reply' || !ev.tx) return '';
    const t = ev.tx.callTs;
    const s = ev.record.ts.sec - t.sec + (ev.record.ts.nsec - t.nsec) / 1e9;
    return s < 1 ? ` rtt=${(s * 1000).toFixed(3)}ms` : ` rtt=${s.toFixed(3)}s`;
  }

  private prefix(frameNo: number, ts: RawFrame['ts'], src: string, dst: string, vlan = ''): string {
    return this.prefixer.prefix(frameNo, this.time.format(ts), src, dst) + vlan;
  }

  /** The frame's lower layers, unless they were just shown for an earlier message of the same frame. */
  private newFrame(ev: RpcEvent): RawFrame | null {
    const fr = ev.frame;
    if (!fr || fr === this.lastFrame) return null;
    this.lastFrame = fr;
    return fr;
  }

  private layers(ev: RpcEvent): string[] {
    const r = ev.record;
    const p = this.prefix(r.frameNo, r.ts, r.src, r.dst);
    const out = [RULE];
    const fr = this.newFrame(ev);
    if (fr) for (const l of layerSummaries(fr)) out.push(p + l);
    out.push(p + rpcLine(ev));
    const prog = programSummary(ev, this.f);
    if (prog !== null) out.push(p + prog + this.rtt(ev));
    return out;
  }

  private verbose(ev: RpcEvent): string[] {
    const v = this.fmt.verbose as NonNullable<ModeFormatters['verbose']>;
    const clock = this.clock as LayerDetail.WallClock;
    const renderBlock = v.block.renderBlock;
    const out: string[] = [];
    // appended line by line, not push(...lines): a hostile reply's block can have more lines than the stack has
    // room for arguments
    const add = (lines: string[]): void => {
      for (const l of lines) out.push(l);
    };
    const fr = this.newFrame(ev);
    if (fr) for (const b of v.layer.layerDetailBlocks(fr, { rpc: true, clock })) add(renderBlock(b.prefix, b.title, b.nodes));
    add(renderBlock(v.rpc.RPC_PREFIX, v.rpc.RPC_TITLE, v.rpc.rpcDetail(ev)));
    const block = v.program.programBlock(ev, this.f);
    if (block) add(renderBlock(block.prefix, block.title, block.nodes));
    out.push('');
    return out;
  }

  /** `-a`: a frame that completed no RPC message, with its layers (payload judged by content, as snoop does). */
  private otherFrame(frame: RawFrame): string[] {
    this.lastFrame = frame;
    if (this.mode === 'json') return [];
    if (this.mode === 'verbose') {
      const v = this.fmt.verbose as NonNullable<ModeFormatters['verbose']>;
      const out: string[] = [];
      for (const b of v.layer.layerDetailBlocks(frame, { clock: this.clock as LayerDetail.WallClock })) out.push(...v.block.renderBlock(b.prefix, b.title, b.nodes));
      out.push('');
      return out.map((l) => escapeControls(l, true));
    }
    const lines = layerSummaries(frame);
    const addrs = frameAddresses(frame) ?? { src: '?', dst: '?' };
    const p = this.prefix(frame.frameNo, frame.ts, addrs.src, addrs.dst);
    if (this.mode === 'layers') return [RULE, ...lines.map((l) => escapeControls(p + l))];
    return [escapeControls(p + (lines[lines.length - 1] ?? `frame of ${frame.capLen} bytes`))];
  }
}

function vlanText(frame: RawFrame | null): string {
  const id = frame ? vlanOf(frame) : null;
  return id ? `VLAN#${id}: ` : '';
}
