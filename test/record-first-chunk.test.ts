/**
 * RecordMarkerOptions.recordInFirstChunk (used by redecode through PipelineOptions.recordStartFrame): a stream
 * joined mid-way where a record is known to start in the first chunk takes the first plausible record mark there
 * at once, and emits the record as soon as it is complete, instead of waiting for what follows to confirm it.
 * Without the option the marker behaves as before (the comparisons below show both).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamChunk } from '../src/reassembly/stream-chunk';
import { RecordMarker } from '../src/rpc/record-marking';
import type { TcpRpcRecord } from '../src/rpc/record-marker-types';
import { concat, randomBytes } from './helpers/bytes';
import { authUnix, buildCall, frameRecord, nfsFh, nfsWriteArgs } from './helpers/rpc-builders';
import { xidOf } from './helpers/tcp-session';

const NFS = 100003;

function chunk(bytes: Uint8Array, frameNo: number): StreamChunk {
  return {
    ipVersion: 4,
    src: '10.0.0.1',
    sport: 900,
    dst: '10.0.0.2',
    dport: 2049,
    connId: 'tcp 10.0.0.1:900 10.0.0.2:2049#0',
    gapBefore: 0,
    bytes,
    frameNo,
    ts: { sec: frameNo, nsec: 0 },
  };
}

function getattr(xid: number): Uint8Array {
  return frameRecord(buildCall({ xid, prog: NFS, vers: 3, proc: 1, cred: authUnix(), body: nfsFh(xid) }));
}

function write(xid: number, size: number): Uint8Array {
  return frameRecord(buildCall({ xid, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(randomBytes(size, xid)) }));
}

/** Feeds `pieces` (frames 1, 2, ...) to a marker joined mid-way; after each piece, the XIDs emitted so far. */
function feed(pieces: Uint8Array[], recordInFirstChunk: boolean): { after: number[][]; marker: RecordMarker; records: TcpRpcRecord[] } {
  const records: TcpRpcRecord[] = [];
  const marker = new RecordMarker({ inSync: false, recordInFirstChunk }, (r) => records.push(r));
  const after: number[][] = [];
  pieces.forEach((p, i) => {
    marker.push(chunk(p, i + 1));
    after.push(records.map(xidOf));
  });
  marker.close();
  return { after, marker, records };
}

test('a record starting at the first byte and ending at a chunk end: emitted when complete', () => {
  const rec = getattr(0x11);
  const pieces = [rec.subarray(0, 30), rec.subarray(30, 100), rec.subarray(100)];
  const trusted = feed(pieces, true);
  assert.deepEqual(trusted.after, [[], [], [0x11]]);
  assert.deepEqual(trusted.records[0].anomalies, []);
  assert.deepEqual(trusted.records[0].frames, [1, 2, 3]);
  // as before without the option: the boundary is not confirmed before the stream ends
  assert.deepEqual(feed(pieces, false).after, [[], [], []]);
});

test('a record starting after the tail of an earlier one: no resync anomaly, the tail is counted as skipped', () => {
  const tail = getattr(0x20).subarray(70);
  const rec = getattr(0x21);
  const pieces = [concat(tail, rec.subarray(0, 20)), rec.subarray(20)];
  const trusted = feed(pieces, true);
  assert.deepEqual(trusted.after, [[], [0x21]]);
  assert.deepEqual(trusted.records[0].anomalies, []);
  assert.equal(trusted.marker.stats.skippedBytes, tail.length);
  assert.deepEqual(trusted.marker.counters, {});
  const plain = feed(pieces, false);
  assert.deepEqual(plain.after, [[], []]);
  assert.deepEqual(plain.records.map((r) => [xidOf(r), r.anomalies]), [[0x21, ['record_resync']]]);
});

test('a record larger than the resync window, then a pipelined one in the same chunk: each emitted when complete', () => {
  const big = write(0x31, 400_000);
  const next = getattr(0x32);
  const stream = concat(big, next);
  const pieces: Uint8Array[] = [];
  for (let o = 0; o < stream.length; o += 1448) pieces.push(stream.subarray(o, Math.min(o + 1448, stream.length)));
  const trusted = feed(pieces, true);
  const doneAt = Math.floor((big.length - 1) / 1448); // index of the piece holding big's last byte
  assert.deepEqual(trusted.after[doneAt - 1], []);
  assert.equal(trusted.after[doneAt][0], 0x31);
  assert.deepEqual(trusted.after[pieces.length - 1], [0x31, 0x32]);
  assert.deepEqual(trusted.marker.counters, {});
});

test('trust covers the first chunk only: a record starting later is found by the ordinary resync, as an anomaly', () => {
  const junk = randomBytes(300, 7);
  const rec = getattr(0x41);
  const pieces = [junk, concat(junk.subarray(0, 50), rec), getattr(0x42), getattr(0x43)];
  const trusted = feed(pieces, true);
  const plain = feed(pieces, false);
  assert.deepEqual(trusted.records.map((r) => [xidOf(r), r.anomalies]), plain.records.map((r) => [xidOf(r), r.anomalies]));
  assert.deepEqual(trusted.records.map(xidOf), [0x41, 0x42, 0x43]);
  assert.deepEqual(trusted.records[0].anomalies, ['record_resync']);
  assert.equal(trusted.records[0].skippedBefore, 350);
});

test('a first chunk with a plausible record that what follows contradicts: not taken', () => {
  // a complete NULL call whose end is followed by 0xffffffff, which no record mark can be (length > maxRecordSize)
  const fake = frameRecord(buildCall({ xid: 0x51, prog: NFS, vers: 3, proc: 0 }));
  const junk = Uint8Array.of(0xff, 0xff, 0xff, 0xff);
  const real = getattr(0x52);
  const trusted = feed([concat(fake, junk, real)], true);
  assert.deepEqual(trusted.records.map(xidOf), [0x52]);
  assert.equal(trusted.records[0].skippedBefore, 0, 'skipped as expected, no anomaly');
  assert.equal(trusted.marker.stats.skippedBytes, fake.length + junk.length);
});
