/**
 * The benchmark's large-capture generator (bench/big-capture.ts, bench/capture-template.ts) and raw record walk
 * (bench/raw-walk.ts): incremental checksums agree with full recomputation, stamped copies are distinct
 * conversations that rpcsnoop decodes and pairs completely, and the walk counts every record whatever the chunk size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDelta, loadTemplate, stampFrame, wordDelta, type TemplateFrame } from '../bench/capture-template';
import { buildBigCapture } from '../bench/big-capture';
import { statsTotals } from '../bench/compare';
import { rawWalk } from '../bench/raw-walk';
import { BIN, fixture, FIXTURES } from './helpers/fixtures';

/** The one's-complement sum of `b` as 16-bit big-endian words (RFC 1071), plus `init`, folded. */
function onesSum(b: Buffer, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i);
  if (b.length % 2) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** Whether the IPv4 header checksum of frame `f` (as stored in `d`) verifies, and the TCP/UDP one if the frame has one. */
function checksumsVerify(f: TemplateFrame, d: Buffer): { ip: boolean; l4: boolean | null } {
  const ihl = (d[f.ip] & 0x0f) * 4;
  const ip = onesSum(d.subarray(f.ip, f.ip + ihl)) === 0xffff;
  if (f.l4sum < 0) return { ip, l4: null };
  const total = d.readUInt16BE(f.ip + 2);
  if (f.ip + total > d.length) return { ip, l4: null }; // cut by the snap length
  const seg = d.subarray(f.l4, f.ip + total);
  const pseudo = onesSum(Buffer.concat([d.subarray(f.ip + 12, f.ip + 20), Buffer.from([0, d[f.ip + 9], seg.length >> 8, seg.length & 0xff])]));
  return { ip, l4: onesSum(seg, pseudo) === 0xffff };
}

test('RFC 1624 incremental update equals recomputing the checksum', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
  for (let n = 0; n < 2000; n++) {
    const b = Buffer.alloc(40);
    for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
    if (n % 7 === 0) b.fill(0, 0, 20); // sums near zero
    b.writeUInt16BE(0, 10);
    b.writeUInt16BE(~onesSum(b) & 0xffff, 10);
    const at = 2 * (rnd() % 20);
    if (at === 10) continue;
    const from = b.readUInt16BE(at);
    const to = rnd() & 0xffff;
    b.writeUInt16BE(to, at);
    const incremental = applyDelta(b.readUInt16BE(10), wordDelta(from, to));
    b.writeUInt16BE(incremental, 10);
    assert.equal(onesSum(b), 0xffff, `word ${at}: ${from} → ${to}`);
  }
});

test('stamped copies of a real capture keep valid checksums, with the new client address and XIDs', () => {
  const tpl = loadTemplate(fixture('nfs3_bulk_veth_mtu1500.pcap'));
  const stamp = { address: 0x0a123456, xidMask: 0xdeadbeef };
  let verified = 0;
  let xidFrames = 0;
  for (const f of tpl.frames) {
    if (f.ip < 0 || f.l4 < 0) continue;
    const before = checksumsVerify(f, f.data);
    const out = Buffer.alloc(f.data.length + 8);
    assert.equal(stampFrame(f, stamp, out, 8), f.data.length);
    const d = out.subarray(8);
    const after = checksumsVerify(f, d);
    assert.equal(after.ip, before.ip);
    assert.equal(after.l4, before.l4, `frame at ${f.t} ns`);
    if (before.l4) verified++;
    assert.equal(d.readUInt32BE(f.addr), stamp.address);
    if (f.xid.length) xidFrames++;
    for (const x of f.xid) assert.equal(d[x.at], f.data[x.at] ^ ((stamp.xidMask >>> (24 - 8 * x.byte)) & 0xff));
  }
  assert.ok(verified > 1000, `frames with a verifying TCP checksum: ${verified}`);
  assert.equal(tpl.xids, 170);
  assert.ok(xidFrames >= 170 - 1, `frames with XID bytes: ${xidFrames}`);
});

test('the XIDs of the fixtures are found over TCP (records spanning segments) and UDP (IP fragments)', () => {
  // message counts as rpcsnoop and tshark see them (fixtures/*.txt)
  const expected: Record<string, number> = { 'nfs3_browse_lo.pcap': 238, 'nfs3_udp_lo.pcap': 60, 'nfs3_udp_ipfrag_veth.pcap': 56 };
  for (const [name, n] of Object.entries(expected)) assert.equal(loadTemplate(fixture(name)).xids, n, name);
});

test('a generated capture: every message found and paired, distinct clients and XIDs, interleaved in time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpcsnoop-test-bigcap-'));
  try {
    const out = join(dir, 'big.pcap');
    const r = buildBigCapture(out, { sizeMB: 12, lanes: 8, fixturesDir: FIXTURES });
    assert.ok(r.bytes >= 12e6, `${r.bytes} bytes`);
    for (const n of ['bulk', 'browse', 'udp', 'ipfrag']) assert.ok(r.copies[n] > 0, `${n} copies`);
    assert.equal(rawWalk(out).records, r.frames);

    const stats = spawnSync(process.execPath, [BIN, '-r', out, '--stats'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(stats.status, 0, stats.stderr);
    const t = statsTotals(stats.stdout);
    assert.ok(t, 'a --stats report');
    assert.deepEqual(t, { messages: r.messages, orphans: 0, unanswered: 0, retransmissions: 0 });

    const json = spawnSync(process.execPath, [BIN, '-r', out, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    assert.equal(json.status, 0, json.stderr);
    const msgs = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; xid: number; src: string; dst: string; flags?: string[] });
    assert.equal(msgs.length, r.messages);
    const calls = msgs.filter((m) => m.type === 'call');
    const clients = new Set(calls.map((m) => m.src));
    const copies = Object.values(r.copies).reduce((a, b) => a + b, 0);
    assert.equal(clients.size, copies, 'one client address per copy');
    const xids = new Set(calls.map((m) => m.xid));
    assert.ok(xids.size > 0.99 * calls.length, `${xids.size} distinct XIDs in ${calls.length} calls`);
    assert.equal(msgs.filter((m) => (m.flags ?? []).some((f) => /retransmit|duplicate|orphan|unanswered/.test(f))).length, 0);
    // interleaved: consecutive calls come from different clients most of the time
    let switches = 0;
    for (let i = 1; i < calls.length; i++) if (calls[i].src !== calls[i - 1].src) switches++;
    assert.ok(switches > calls.length / 2, `${switches} client switches in ${calls.length} calls`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the raw record walk counts every record whatever the chunk size, records longer than a chunk too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpcsnoop-test-rawwalk-'));
  try {
    const head = Buffer.alloc(24);
    head.writeUInt32BE(0xa1b2c3d4, 0); // big-endian this time
    const lens = [0, 1, 15, 16, 17, 100, 1000, 5, 64, 3000, 2];
    const parts = [head];
    for (const len of lens) {
      const h = Buffer.alloc(16);
      h.writeUInt32BE(len, 8);
      h.writeUInt32BE(len, 12);
      parts.push(h, Buffer.alloc(len, 0x5a));
    }
    const path = join(dir, 'w.pcap');
    writeFileSync(path, Buffer.concat(parts));
    for (const chunk of [24, 31, 32, 40, 64, 100, 1 << 20]) assert.equal(rawWalk(path, chunk).records, lens.length, `chunk ${chunk}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
