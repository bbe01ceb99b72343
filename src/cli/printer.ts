/**
 * Turns pipeline events into output lines for the chosen mode: snoop-style summary lines (default), `-V` (one
 * line per layer after 32 underscores), `-v` (verbose blocks per layer), or JSON Lines. Holds the per-run
 * formatting state (the time column, the clock, the last frame shown) — one Printer per run, no module state.
 * Text lines have control characters escaped (JSON escapes them itself).
 */
import type { RawFrame } from '../capture/raw-frame';
import { escapeControls } from '../format/escape';
import { eventToJsonLine } from '../format/json';
import { layerDetailBlocks, wallClock, type WallClock } from '../format/layer-detail';
import { frameAddresses, layerSummaries, vlanOf } from '../format/layer-lines';
import { programBlock } from '../format/program-detail';
import { rpcDetail, RPC_PREFIX, RPC_TITLE } from '../format/rpc-detail';
import { rpcLine } from '../format/rpc-line';
import { programSummary, summaryText } from '../format/summary-line';
import { SummaryPrefixer, TimeColumn, type TimeMode } from '../format/summary-prefix';
import { renderBlock } from '../format/verbose-block';
import type { FormatContext } from '../rpc/registry';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../rpc/rpc-event';

export type OutputMode = 'summary' | 'layers' | 'verbose' | 'json';

const RULE = '_'.repeat(32);

export class Printer {
  private readonly time: TimeColumn;
  private readonly clock: WallClock;
  private readonly prefixer = new SummaryPrefixer();
  /** Several messages can complete in one TCP segment: its lower layers are shown once, before the first. */
  private lastFrame: RawFrame | null = null;

  constructor(
    private readonly mode: OutputMode,
    timeMode: TimeMode,
    private readonly f: FormatContext,
    timeZone?: string,
    /** Append the response time to reply lines (` rtt=0.183ms`): on by default when capturing live. */
    private readonly showRtt = false,
  ) {
    this.time = new TimeColumn(timeMode);
    this.clock = wallClock(timeZone);
  }

  /** The lines for one event (several for -V and -v). */
  lines(ev: PipelineEvent): string[] {
    if (!isRpcEvent(ev)) return this.otherFrame(ev.frame);
    switch (this.mode) {
      case 'json':
        return [eventToJsonLine(ev, this.f)];
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
    const out: string[] = [];
    // appended line by line, not push(...lines): a hostile reply's block can have more lines than the stack has
    // room for arguments
    const add = (lines: string[]): void => {
      for (const l of lines) out.push(l);
    };
    const fr = this.newFrame(ev);
    if (fr) for (const b of layerDetailBlocks(fr, { rpc: true, clock: this.clock })) add(renderBlock(b.prefix, b.title, b.nodes));
    add(renderBlock(RPC_PREFIX, RPC_TITLE, rpcDetail(ev)));
    const block = programBlock(ev, this.f);
    if (block) add(renderBlock(block.prefix, block.title, block.nodes));
    out.push('');
    return out;
  }

  /** `-a`: a frame that completed no RPC message, with its layers (payload judged by content, as snoop does). */
  private otherFrame(frame: RawFrame): string[] {
    this.lastFrame = frame;
    if (this.mode === 'json') return [];
    if (this.mode === 'verbose') {
      const out: string[] = [];
      for (const b of layerDetailBlocks(frame, { clock: this.clock })) out.push(...renderBlock(b.prefix, b.title, b.nodes));
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
