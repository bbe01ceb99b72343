/**
 * For the tests of detail lines' bytes (DetailNode.range): every fixture's messages and frames, walking a detail
 * tree, reading the bytes a range points at, and the checks they all share (bounds, containment, a tally of the
 * checks that ran, so that a test whose checks never ran fails).
 */
import assert from 'node:assert/strict';
import type { RawFrame } from '../../src/capture/raw-frame';
import type { ByteRange, DetailNode } from '../../src/format/detail';
import { createFormatContext } from '../../src/format/format-context';
import { DEFAULT_PIPELINE, defaultRegistry, Pipeline } from '../../src/pipeline';
import { FhNames } from '../../src/programs/fh-names';
import { isRpcEvent, type RpcEvent } from '../../src/rpc/rpc-event';
import type { FormatContext } from '../../src/rpc/registry';
import { readFrames } from './capture-packets';
import { fixture, fixtureCaptures } from './fixtures';
import { fixtureEvents } from './program-harness';

export interface Fixture {
  name: string;
  events: RpcEvent[];
  frames: RawFrame[];
}

/** Every fixture: its RPC messages and its frames. */
export async function loadCorpus(): Promise<Fixture[]> {
  const out: Fixture[] = [];
  for (const name of fixtureCaptures()) out.push({ name, events: await fixtureEvents(name), frames: await readFrames(fixture(name)) });
  return out;
}

/** A FormatContext with the default registry and no learned names. */
export function plainFormat(): FormatContext {
  return createFormatContext(defaultRegistry(), new FhNames(), { showNames: false });
}

/** The RPC messages the pipeline makes of `frames`. */
export function eventsOfFrames(frames: readonly RawFrame[]): RpcEvent[] {
  const out: RpcEvent[] = [];
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => {
    if (isRpcEvent(ev)) out.push(ev);
  });
  for (const f of frames) p.pushFrame(f);
  p.finish();
  return out;
}

/** Every node of a tree, depth-first, with its parent. */
export function* walk(nodes: readonly DetailNode[], parent: DetailNode | null = null): Generator<{ node: DetailNode; parent: DetailNode | null }> {
  for (const node of nodes) {
    yield { node, parent };
    if (node.children) yield* walk(node.children, node);
  }
}

export const bytesOf = (b: Uint8Array, r: ByteRange): Uint8Array => b.subarray(r.start, r.end);
export const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
export const pad4 = (n: number): number => (n + 3) & ~3;

/** The big-endian unsigned number in `b`. */
export function be(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** Big-endian words of `size` bytes. */
export function chunks(b: Uint8Array, size: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i + size <= b.length; i += size) out.push(be(b.subarray(i, i + size)));
  return out;
}

/** Counts how often each check ran, so that a test whose checks never ran fails. */
export class Tally {
  readonly counts = new Map<string, number>();
  add(rule: string): void {
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + 1);
  }
  expect(rules: readonly string[]): void {
    for (const r of rules) assert.ok((this.counts.get(r) ?? 0) > 0, `no line checked by rule "${r}"`);
  }
}

/** Every range within [0, length], and within its parent's range when both have one. */
export function checkBounds(nodes: readonly DetailNode[], length: number, where: string, tally: Tally): void {
  for (const { node, parent } of walk(nodes)) {
    const r = node.range;
    if (!r) continue;
    tally.add('bounds');
    assert.ok(Number.isInteger(r.start) && Number.isInteger(r.end), `${where}: ${node.text}`);
    assert.ok(0 <= r.start && r.start <= r.end && r.end <= length, `${where}: ${node.text} [${r.start}, ${r.end}) of ${length}`);
    const p = parent?.range;
    if (p) {
      tally.add('inside parent');
      assert.ok(p.start <= r.start && r.end <= p.end, `${where}: ${node.text} [${r.start}, ${r.end}) outside ${parent.text} [${p.start}, ${p.end})`);
    }
  }
}
