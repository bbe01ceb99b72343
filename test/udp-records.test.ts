import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { L4Packet } from '../src/net/l4-packet';
import { udpRecord } from '../src/rpc/udp-records';
import { hex } from './helpers/bytes';
import { readPackets } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import { buildCall } from './helpers/rpc-builders';

function udp(payload: Uint8Array, payloadLength = payload.length, frames = [7]): L4Packet {
  return {
    frameNo: frames[frames.length - 1],
    ts: { sec: 10, nsec: 5 },
    frames,
    ipVersion: 4,
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: 800,
    dport: 2049,
    transport: 'udp',
    payload,
    payloadLength,
    truncated: payloadLength > payload.length,
    vlan: [],
    anomalies: [],
  };
}

test('a UDP datagram is one record: the payload itself, one fragment, no connection id', () => {
  const msg = buildCall({ xid: 42, prog: 100003, vers: 3, proc: 0 });
  const p = udp(msg, msg.length, [5, 6, 7]);
  const r = udpRecord(p);
  assert.equal(r.bytes, p.payload);
  assert.deepEqual(
    [r.transport, r.connId, r.length, r.fragments, r.truncated, r.frameNo, r.frames, r.ts, r.src, r.sport, r.dst, r.dport],
    ['udp', null, msg.length, 1, false, 7, [5, 6, 7], { sec: 10, nsec: 5 }, '10.0.0.1', 800, '10.0.0.2', 2049],
  );
  assert.deepEqual(r.anomalies, []);
});

test('a datagram cut by the snaplen is a truncated record with its wire length', () => {
  const msg = buildCall({ xid: 43, prog: 100003, vers: 3, proc: 6 });
  const r = udpRecord(udp(msg.subarray(0, 30), 8200));
  assert.equal(r.truncated, true);
  assert.equal(r.length, 8200);
  assert.equal(hex(r.bytes), hex(msg.subarray(0, 30)));
  assert.deepEqual(r.anomalies, ['record_truncated']);
});

test('UDP datagrams of a real capture become records at their frames', async () => {
  const pkts = (await readPackets(fixture('nfs3_udp_lo.pcap'))).filter((p) => p.transport === 'udp');
  assert.ok(pkts.length > 0);
  for (const p of pkts) {
    const r = udpRecord(p);
    assert.equal(r.frameNo, p.frameNo);
    assert.equal(r.length, p.payloadLength);
    assert.equal(r.truncated, false);
  }
});
