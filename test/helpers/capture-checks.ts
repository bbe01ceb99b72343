/**
 * What every capture reader (readPcapClassic, readPcapNsec, readPcapng) is checked for in the same way: the
 * frames it should give, as frameSummary values; a fixture read exactly as tshark reads it; input errors passed
 * through, and a file cut inside a frame reported, after the frames before them.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { CaptureError, type RawFrame } from '../../src/capture/raw-frame';
import { hex } from './bytes';
import { chunks, drain, thenFail, type PcapRecordSpec } from './capture-builders';
import { fixture } from './fixtures';
import { truthMismatches } from './tshark-tsv';

/** A capture reader: frames of `input`, `name` prefixing its error messages. */
export type FrameReader = (input: AsyncIterable<Uint8Array>, name: string) => AsyncIterable<RawFrame>;

/** A frame a test expects: its time, data and link. */
export interface WantFrame {
  sec: number;
  nsec: number;
  data: Uint8Array;
  /** Default: data.length. */
  origLen?: number;
  linkType: number;
  interfaceId: number;
}

/** The frameSummary values of the frames expected, numbered from 1. */
export function wantSummaries(want: WantFrame[]): Record<string, unknown>[] {
  return want.map((w, i) => ({
    frameNo: i + 1,
    sec: w.sec,
    nsec: w.nsec,
    capLen: w.data.length,
    origLen: w.origLen ?? w.data.length,
    linkType: w.linkType,
    interfaceId: w.interfaceId,
    bytes: hex(w.data),
  }));
}

/** wantSummaries of classic-pcap `records` read back: record i at time ts[i] ([sec, nsec]), all on `linkType`. */
export function wantRecords(records: PcapRecordSpec[], ts: number[][], linkType: number): Record<string, unknown>[] {
  return wantSummaries(
    records.map((r, i) => ({ sec: ts[i][0], nsec: ts[i][1], data: r.data, origLen: r.origLen, linkType, interfaceId: 0 })),
  );
}

/** Reads fixtures/NAME with `read`: no error, `count` frames, and every frame as tshark numbers and times it. */
export async function readLikeTshark(read: FrameReader, name: string, count: number): Promise<RawFrame[]> {
  const { frames, error } = await drain(read(createReadStream(fixture(name)), name));
  assert.equal(error, undefined);
  assert.equal(frames.length, count);
  assert.deepEqual(truthMismatches(name, frames), []);
  return frames;
}

/**
 * `file` (holding `count` frames) read by `read` from an input that then fails: the frames come first, a
 * CaptureError of the input passes through as it is, and any other error becomes an 'io' CaptureError.
 */
export async function checkInputErrors(read: FrameReader, file: Uint8Array, count: number): Promise<void> {
  const ioErr = new CaptureError('io', 'x: Input/output error');
  const failed = await drain(read(thenFail(file, ioErr), 't'));
  assert.equal(failed.frames.length, count);
  assert.equal(failed.error, ioErr);
  const foreign = await drain(read(thenFail(file, new Error('socket hang up')), 't'));
  assert.equal(foreign.frames.length, count);
  assert.equal(foreign.error?.kind, 'io');
  assert.equal(foreign.error?.message, 't: read error: socket hang up');
}

/**
 * `file` cut at each of `cuts` (all inside frame count + 1) and read by `read` from chunks of `chunkSize` bytes
 * under the name `name`: the `count` complete frames first, then a 'truncated' CaptureError naming that frame.
 */
export async function checkCutInsideFrame(
  read: FrameReader,
  file: Uint8Array,
  cuts: number[],
  count: number,
  name: string,
  chunkSize: number,
): Promise<void> {
  for (const cut of cuts) {
    const { frames, error } = await drain(read(chunks(file.subarray(0, cut), chunkSize), name));
    assert.equal(frames.length, count, `cut at ${cut}`);
    assert.equal(error?.kind, 'truncated');
    assert.equal(error?.message, `${name}: file ends in the middle of frame ${count + 1}`);
  }
}
