/**
 * The bytes of detail lines (DetailNode.range) when records are cut short (a snaplen of 200 or 120 bytes: partial
 * results, lists cut in an entry, handles cut in the middle) or mangled (bytes changed at random, seeded): ranges
 * stay inside the captured bytes and inside their parents', and for cut records the walk still agrees with the
 * decoders. The fixtures whole: detail-ranges.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layerDetailBlocks } from '../src/format/layer-detail';
import { programBlock, programSpans } from '../src/format/program-detail';
import { rpcDetail } from '../src/format/rpc-detail';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { readFrames } from './helpers/capture-packets';
import { checkBounds, eventsOfFrames, plainFormat, Tally, walk } from './helpers/detail-ranges';
import { fixture } from './helpers/fixtures';
import { xorshift32 } from '../src/xorshift';

const fmt = plainFormat();

/** Bounds of every block of `ev`; the number of program lines with a range. */
function checkEvent(ev: RpcEvent, where: string, tally: Tally, slips: boolean): number {
  const len = ev.record.bytes.length;
  checkBounds(rpcDetail(ev), len, where, tally);
  if (ev.frame) for (const b of layerDetailBlocks(ev.frame, { rpc: true })) checkBounds(b.nodes, ev.frame.bytes.length, where, tally);
  const at = programSpans(ev);
  const pb = programBlock(ev, fmt, at);
  if (slips) assert.equal(at.slips, 0, where);
  if (!pb) return 0;
  checkBounds(pb.nodes, len, where, tally);
  return [...walk(pb.nodes)].filter(({ node }) => node.range).length;
}

const CUT_FIXTURES = ['nfs3_allprocs_tcp_lo.pcap', 'nfs3_browse_lo.pcap', 'lab_mount_sequence_lo.pcap', 'rpcbind_all_procs_any_sll2.pcap', 'nfs3_udp_lo.pcap'];

test('records cut by a snaplen of 200 or 120 bytes: ranges stay inside what was captured; the walk never slips', async () => {
  const tally = new Tally();
  let truncated = 0;
  let ranged = 0;
  for (const name of CUT_FIXTURES) {
    const frames = await readFrames(fixture(name));
    for (const snaplen of [200, 120]) {
      const cut = frames.map((f) => (f.bytes.length <= snaplen ? f : { ...f, capLen: snaplen, bytes: f.bytes.subarray(0, snaplen) }));
      for (const ev of eventsOfFrames(cut)) {
        if (ev.record.truncated) truncated++;
        ranged += checkEvent(ev, `${name} -s ${snaplen} frame ${ev.record.frameNo}`, tally, true);
      }
    }
  }
  assert.ok(truncated > 50, `truncated records: ${truncated}`);
  assert.ok(ranged > 1000, `program lines with a range: ${ranged}`);
  tally.expect(['bounds', 'inside parent']);
});


test('mangled messages: whatever the decoders made of them, ranges stay inside their bytes', async () => {
  const tally = new Tally();
  const rnd = xorshift32(0x5eed);
  let events = 0;
  for (const name of CUT_FIXTURES) {
    const frames = await readFrames(fixture(name));
    for (let round = 0; round < 4; round++) {
      // a few bytes changed past the headers of the lower layers (from byte 70 on: inside the RPC data)
      const mangled = frames.map((f) => {
        if (f.bytes.length <= 70) return f;
        const b = Uint8Array.from(f.bytes);
        for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) b[70 + Math.floor(rnd() * (b.length - 70))] = Math.floor(rnd() * 256);
        return { ...f, bytes: b };
      });
      for (const ev of eventsOfFrames(mangled)) {
        events++;
        checkEvent(ev, `${name} mangled ${round} frame ${ev.record.frameNo}`, tally, false);
      }
    }
  }
  assert.ok(events > 500, `events: ${events}`);
  tally.expect(['bounds', 'inside parent']);
});
