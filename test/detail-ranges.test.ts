/**
 * The bytes of detail lines (DetailNode.range), on every message and every frame of every fixture:
 *  - every range lies inside the bytes it counts in (the record for the RPC and program blocks, the frame for the
 *    lower layers) and inside its parent's, and the walk through the program's XDR never slips from the views the
 *    decoders returned;
 *  - the bytes of a line decode to the value it shows: RPC header fields, credentials, file handles (the very
 *    bytes of the decoded handles), strings, numbers, hex, addresses and ports;
 *  - every program-block line has its bytes but a reply's `Proc = N` (the reply does not carry it); the share is
 *    printed as a diagnostic.
 * DES credentials and RPC_MISMATCH replies, which no fixture has, are built. Cut and mangled records:
 * detail-ranges-cut.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ByteRange, DetailNode } from '../src/format/detail';
import { layerDetailBlocks, macText } from '../src/format/layer-detail';
import { programBlock, programSpans } from '../src/format/program-detail';
import { rpcDetail } from '../src/format/rpc-detail';
import { formatIpv4, formatIpv6 } from '../src/net/ip-address';
import { FileHandle, snoopFhHash } from '../src/programs/file-handle';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { be, bytesOf, checkBounds, chunks, eventsOfFrames, hex, loadCorpus, pad4, plainFormat, Tally, utf8, walk } from './helpers/detail-ranges';
import { ethernet, frame, ipv4, udp } from './helpers/net-builders';
import { buildCall, buildDeniedReply, XdrWriter } from './helpers/rpc-builders';

/** Every fixture, read once for all the tests of this file. */
const CORPUS = loadCorpus();
const fmt = plainFormat();

test('every range lies inside its record or frame and inside its parent; the XDR walk never slips', async () => {
  const tally = new Tally();
  for (const fx of await CORPUS) {
    for (const ev of fx.events) {
      const where = `${fx.name} frame ${ev.record.frameNo} (${ev.procedureName ?? '?'} ${ev.msg.type})`;
      const len = ev.record.bytes.length;
      checkBounds(rpcDetail(ev), len, where, tally);
      const at = programSpans(ev);
      const pb = programBlock(ev, fmt, at);
      assert.equal(at.slips, 0, `${where}: the walk met a view away from where it expected it`);
      if (pb) {
        checkBounds(pb.nodes, len, where, tally);
        assert.deepEqual(pb.range, { start: ev.msg.bodyOffset, end: len });
        for (const { node } of walk(pb.nodes)) {
          if (node.range) assert.ok(node.range.start >= pb.range.start || /^Proc = /.test(node.text), `${where}: ${node.text} before the body`);
        }
      }
      if (ev.frame) for (const b of layerDetailBlocks(ev.frame, { rpc: true })) checkBounds(b.nodes, ev.frame.bytes.length, where, tally);
    }
    for (const f of fx.frames) {
      for (const b of layerDetailBlocks(f)) {
        const where = `${fx.name} frame ${f.frameNo} ${b.prefix.trim()}`;
        checkBounds(b.nodes, f.bytes.length, where, tally);
        // the block's own range: its header (a line such as `Packet size` may show more of the frame)
        if (b.range) checkBounds([{ text: b.title ?? '', range: b.range }], f.bytes.length, where, tally);
      }
    }
  }
  tally.expect(['bounds', 'inside parent']);
});

// ------------------------------------------------------------------------------------------------ RPC header

/** Checks the RPC block of `ev`: each line's bytes hold what it shows. */
function checkRpcLines(ev: RpcEvent, tally: Tally, where: string): void {
  const rec = ev.record.bytes;
  const m = ev.msg;
  const word = (r: ByteRange, k = 0): number => Number(be(rec.subarray(r.start + 4 * k, r.start + 4 * k + 4)));
  for (const { node, parent } of walk(rpcDetail(ev))) {
    const t = node.text;
    const r = node.range;
    if (!r) {
      assert.match(t, /^(Record Mark: .*|This is a reply to frame \d+|)$/, `${where}: ${t} has no range`);
      continue;
    }
    const b = bytesOf(rec, r);
    const size = (n: number): void => assert.equal(b.length, n, `${where}: ${t}`);
    let x: RegExpExecArray | null;
    if ((x = /^Transaction id = (\d+)$/.exec(t))) {
      size(4);
      assert.equal(word(r), m.xid);
      assert.equal(r.start, 0);
      tally.add('xid');
    } else if ((x = /^Type = (\d) /.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('msg_type');
    } else if ((x = /^RPC version = (\d+)$/.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('rpcvers');
    } else if ((x = /^Program = (\d+) \(.*\), version = (\d+), procedure = (\d+)$/.exec(t))) {
      size(12);
      assert.deepEqual([word(r, 0), word(r, 1), word(r, 2)], [Number(x[1]), Number(x[2]), Number(x[3])]);
      assert.equal(Number(x[1]), ev.prog);
      tally.add('prog/vers/proc');
    } else if ((x = /^(?:Credentials|Verifier   ): Flavor = (\d+) \(.*\), len = (\d+) bytes$/.exec(t))) {
      const n = Number(x[2]);
      size(8 + pad4(n));
      assert.deepEqual([word(r, 0), word(r, 1)], [Number(x[1]), n]);
      tally.add('opaque_auth');
    } else if (/^   Time = /.test(t)) {
      size(4);
      assert.equal(m.type === 'call' ? word(r) : -1, m.type === 'call' ? m.cred.unix?.stamp : 0);
      tally.add('auth_unix stamp');
    } else if ((x = /^   Hostname = (.*)$/.exec(t))) {
      assert.equal(utf8(b), x[1]);
      tally.add('auth_unix machine');
    } else if ((x = /^   Uid = (\d+), Gid = (\d+)$/.exec(t))) {
      size(8);
      assert.deepEqual([word(r, 0), word(r, 1)], [Number(x[1]), Number(x[2])]);
      tally.add('auth_unix uid/gid');
    } else if ((x = /^   Groups = (.*)$/.exec(t))) {
      const gids = x[1] === '(none)' ? [] : x[1].trim().split(' ').map(Number);
      assert.deepEqual(chunks(b, 4).map(Number), [gids.length, ...gids]);
      tally.add('auth_unix gids');
    } else if ((x = /^   (?:version|gss control procedure|sequence num|service) = (\d+)/.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('gss words');
    } else if ((x = /^   handle: length = (\d+), data = \[([0-9A-F]*)\]$/.exec(t))) {
      assert.equal(hex(b), x[2]);
      tally.add('gss handle');
    } else if ((x = /^\[([0-9A-F]*)\]$/.exec(t))) {
      assert.equal(hex(b), x[1]);
      assert.ok(parent?.range && parent.range.start + 8 === r.start, `${where}: the body follows flavor and length`);
      tally.add('auth body hex');
    } else if ((x = /^Status = (\d+) \((?:Accepted|Denied)\)$/.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('reply_stat');
    } else if ((x = /^(?:Accept|Reject) status = (\d+) /.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('accept/reject stat');
    } else if ((x = /^   (?:Low |High) = (\d+)$/.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('mismatch');
    } else if ((x = /^   Why = (\d+) /.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('auth_stat');
    } else if ((x = /^   (?:Conversation key|Window|Timestamp|Window   ) += 0x([0-9A-F]+) \(DES encrypted\)$/.exec(t))) {
      assert.equal(hex(b), x[1]);
      tally.add('des hex');
    } else if ((x = /^   (?:Nickname|Nickname ) += 0x([0-9A-F]+)$/.exec(t))) {
      assert.equal(hex(b), x[1]);
      tally.add('des nickname');
    } else if ((x = /^   Name kind = (\d) /.exec(t))) {
      size(4);
      assert.equal(word(r), Number(x[1]));
      tally.add('des namekind');
    } else if ((x = /^   Network name = (.*)$/.exec(t))) {
      assert.equal(utf8(b), x[1]);
      tally.add('des netname');
    } else {
      assert.fail(`${where}: no check for RPC line ${JSON.stringify(t)}`);
    }
  }
}

test('RPC header lines: the bytes of each line hold the value it shows (xid, program, credentials, statuses)', async () => {
  const tally = new Tally();
  for (const fx of await CORPUS) for (const ev of fx.events) checkRpcLines(ev, tally, `${fx.name} frame ${ev.record.frameNo}`);
  tally.expect([
    'xid',
    'msg_type',
    'rpcvers',
    'prog/vers/proc',
    'opaque_auth',
    'auth_unix stamp',
    'auth_unix machine',
    'auth_unix uid/gid',
    'auth_unix gids',
    'gss words',
    'gss handle',
    'auth body hex',
    'reply_stat',
    'accept/reject stat',
    'mismatch',
    'auth_stat',
  ]);
  // the NFS program number where it is on the wire, from the call of a real fixture
  const ev = (await CORPUS).find((f) => f.name === 'lab_mount_sequence_lo.pcap')!.events.find((e) => e.prog === 100003 && e.msg.type === 'call')!;
  const prog = rpcDetail(ev).find((n) => n.text.startsWith('Program = '))!;
  assert.deepEqual(prog.range, { start: 12, end: 24 });
  assert.equal(be(ev.record.bytes.subarray(12, 16)), 100003n);
});

/** One call and its reply over UDP through the real pipeline. */
function exchange(call: Uint8Array, reply: Uint8Array): RpcEvent[] {
  const [c, s] = ['10.0.0.1', '10.0.0.2'];
  return eventsOfFrames([
    frame(ethernet(ipv4(udp(call, { sport: 700, dport: 111 }), { src: c, dst: s })), 1, { frameNo: 1 }),
    frame(ethernet(ipv4(udp(reply, { sport: 111, dport: 700 }), { src: s, dst: c })), 1, { frameNo: 2 }),
  ]);
}

test('built messages: AUTH_DES credential and verifier, RPC_MISMATCH reply', () => {
  const des = new XdrWriter().u32(0).string('unix.1000@example.com').fixed(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])).fixed(Uint8Array.from([9, 10, 11, 12]));
  const verf = new XdrWriter().fixed(Uint8Array.from([0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8])).u32(0x0b0c0d0e);
  const call = buildCall({ xid: 77, prog: 100000, vers: 2, proc: 0, cred: { flavor: 3, body: des.bytes() }, verf: { flavor: 3, body: verf.bytes() } });
  const nick = new XdrWriter().u32(1).u32(0xcafe);
  const call2 = buildCall({ xid: 78, prog: 100000, vers: 2, proc: 0, cred: { flavor: 3, body: nick.bytes() } });
  const evs = [...exchange(call, buildDeniedReply({ xid: 77, rpcMismatch: { low: 2, high: 2 } })), ...exchange(call2, buildDeniedReply({ xid: 78, authStat: 5 }))];
  assert.equal(evs.length, 4);
  const tally = new Tally();
  for (const ev of evs) checkRpcLines(ev, tally, `built frame ${ev.record.frameNo}`);
  tally.expect(['des hex', 'des nickname', 'des namekind', 'des netname', 'mismatch', 'auth_stat']);
  // the credential's range covers its body's lines
  const cred = rpcDetail(evs[0]).find((n) => n.text.startsWith('Credentials'))!;
  assert.deepEqual(cred.range, { start: 24, end: 24 + 8 + des.bytes().length });
  assert.equal(cred.children?.length, 4);
});

// ------------------------------------------------------------------------------------------------ program blocks

/** Labels of `<label> = <unsigned number>` lines whose bytes are that one number (4 or 8 bytes). */
const NUMBER_LINE = /^\s*((?:Proc|Program|Version|Proc   |Port|Protocol|Status|Offset|Count|Size  ?|Stable|Cookie  ?|Dircount|Maxcount|File ID|Link max|Name max|Invariant time|Maximum|Preferred|Suggested multiple|Max file size|Major|Minor|Maxlen|Total space|Available space|Available space - this user|Total file slots|Available file slots|Available file slots - this user|Length|Callit data|File type|User ID|Group ID|Pipe buf|Path max|Max canon|Max input)) *= (\d+)\b/;
/** `a = 1, b = 2` lines: one number per 4 or 8 bytes (not the mode's bits, which show the mode word). */
const NUMBERS_LINE = /^(?!\s*Setuid)\s*[A-Za-z: ]+ = \d+(?:, [A-Za-z ]+ = \d+)+$/;
/** Lines showing a string: its bytes are the string. */
const STRING_LINE = /^\s*(?:File name|Name|Path|Directory|File|Group|Netid  |Uaddr  |Owner  |Uaddr) = (.*)$/;
/** Lines showing opaque bytes in hex. */
const HEX_LINE = /^(?:Verifier|Cookie verifier|Guard) = ([0-9A-F]+)$|^Taddr = ([0-9A-F]*) \(\d+ bytes\)$/;

function checkProgramLine(node: DetailNode, parent: DetailNode | null, rec: Uint8Array, tally: Tally, where: string): void {
  const t = node.text;
  const r = node.range;
  if (!r) return;
  const b = bytesOf(rec, r);
  const leaf = !node.children?.length;
  let x: RegExpExecArray | null;
  if ((x = /^File handle = \[([0-9A-F]{4})\]/.exec(t))) {
    assert.equal(snoopFhHash(b), x[1], `${where}: ${t}`);
    const lines = (node.children ?? []).map((c) => c.text.trim());
    assert.equal(lines.join(''), hex(b), `${where}: ${t}`);
    for (const c of node.children ?? []) assert.equal(hex(bytesOf(rec, c.range!)), c.text.trim());
    tally.add('file handle');
  } else if ((x = STRING_LINE.exec(t)) && (leaf || t.startsWith('Uaddr'))) {
    if (x[1] === '' || /^\(.*\)$/.test(x[1])) {
      // an empty string, or the note standing for it: its zero length word
      assert.deepEqual([...b], [0, 0, 0, 0], `${where}: ${t}`);
      tally.add('empty string');
    } else {
      assert.equal(utf8(b), x[1], `${where}: ${t}`);
      tally.add('string');
    }
  } else if ((x = HEX_LINE.exec(t))) {
    assert.equal(hex(b), x[1] ?? x[2], `${where}: ${t}`);
    tally.add('hex');
  } else if ((x = NUMBER_LINE.exec(t)) && (b.length === 4 || b.length === 8)) {
    assert.equal(be(b), BigInt(x[2]), `${where}: ${t}`);
    tally.add(`number ${b.length}`);
  } else if (/^   NULL = \d+, SET = /.test(t)) {
    // GETSTAT's rpcbs_proc: the whole array of RPCBSTAT_HIGHPROC counters, shown by procedure name
    const words = chunks(b, 4);
    assert.equal(words.length, 13, `${where}: ${t}`);
    t.trim()
      .split(', ')
      .forEach((part, i) => {
        const m = /^(?:proc (\d+)|\S+) = (\d+)$/.exec(part)!;
        assert.equal(words[m[1] === undefined ? i : Number(m[1])], BigInt(m[2]), `${where}: ${part}`);
      });
    tally.add('rpcbs_proc');
  } else if (NUMBERS_LINE.test(t)) {
    const nums = [...t.matchAll(/= (\d+)/g)].map((m) => BigInt(m[1]));
    const size = b.length / nums.length;
    assert.ok(size === 4 || size === 8, `${where}: ${t} has ${b.length} bytes`);
    assert.deepEqual(chunks(b, size), nums, `${where}: ${t}`);
    tally.add('numbers');
  } else if ((x = /^\s*Mode = 0([0-7]+)$/.exec(t))) {
    assert.equal(be(b), BigInt(parseInt(x[1], 8)), `${where}: ${t}`);
    tally.add('mode');
  } else if ((x = /^(?:Access bits|Properties) = 0x([0-9a-f]+)$/.exec(t))) {
    assert.equal(be(b), BigInt(parseInt(x[1], 16)), `${where}: ${t}`);
    tally.add('bits');
  } else if ((x = /^ +(\d+) +(\d+) +(\d+) +(\d+)  \S/.exec(t)) && b.length === 16) {
    // a PORTMAP DUMP row: a mapping (prog, vers, prot, port)
    assert.deepEqual(chunks(b, 4), x.slice(1, 5).map(BigInt), `${where}: ${t}`);
    tally.add('pmaplist row');
  } else if ((x = /^ +(\d+) +(\d+) (.*)$/.exec(t)) && parent?.text === '   File id    Cookie   Name') {
    // a READDIR row: fileid, name, cookie
    const nameLen = Number(be(b.subarray(8, 12)));
    assert.deepEqual([be(b.subarray(0, 8)), utf8(b.subarray(12, 12 + nameLen)), be(b.subarray(12 + pad4(nameLen), 20 + pad4(nameLen)))], [BigInt(x[1]), x[3], BigInt(x[2])]);
    tally.add('readdir row');
  }
}

/** The handles among a decoded value (FileHandle instances, depth-first). */
function handlesOf(v: unknown, out: FileHandle[] = [], depth = 0): FileHandle[] {
  if (v instanceof FileHandle) out.push(v);
  else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && depth < 32) for (const x of Object.values(v)) handlesOf(x, out, depth + 1);
  return out;
}

test('program lines: the bytes of each line hold the value it shows; handle lines show the decoded handles', async () => {
  const tally = new Tally();
  for (const fx of await CORPUS) {
    for (const ev of fx.events) {
      const pb = programBlock(ev, fmt);
      if (!pb) continue;
      const rec = ev.record.bytes;
      const where = `${fx.name} frame ${ev.record.frameNo} (${ev.procedureName} ${ev.msg.type})`;
      for (const { node, parent } of walk(pb.nodes)) checkProgramLine(node, parent, rec, tally, where);
      // every handle the decoder returned is shown by a `File handle` line whose bytes are the handle's own
      const decoded = handlesOf(ev.msg.type === 'call' ? ev.args : ev.result).map((h) => h.bytes.byteOffset - rec.byteOffset);
      const shown = [...walk(pb.nodes)].filter(({ node }) => node.text.startsWith('File handle = ')).map(({ node }) => node.range!.start);
      assert.deepEqual(shown.sort(), decoded.sort(), where);
      if (decoded.length) tally.add('decoded handles');
    }
  }
  tally.expect(['file handle', 'decoded handles', 'string', 'hex', 'number 4', 'number 8', 'numbers', 'mode', 'bits', 'readdir row', 'pmaplist row', 'rpcbs_proc', 'empty string']);
  // one by name: the MNT reply's handle
  const fx = (await CORPUS).find((f) => f.name === 'lab_mount_sequence_lo.pcap')!;
  const mnt = fx.events.find((e) => e.procedureName === 'MNT' && e.msg.type === 'reply')!;
  const fh = (mnt.result as { mountinfo: { fhandle: FileHandle } }).mountinfo.fhandle;
  const line = [...walk(programBlock(mnt, fmt)!.nodes)].find(({ node }) => node.text.startsWith('File handle'))!.node;
  assert.deepEqual(bytesOf(mnt.record.bytes, line.range!), fh.bytes);
  assert.equal(line.range!.start, fh.bytes.byteOffset - mnt.record.bytes.byteOffset);
});

test('coverage: every program line but a reply\'s `Proc = N` has its bytes', async (t) => {
  let lines = 0;
  let ranged = 0;
  let procLines = 0;
  const perProgram = new Map<string, [number, number]>();
  for (const fx of await CORPUS) {
    for (const ev of fx.events) {
      const pb = programBlock(ev, fmt);
      if (!pb) continue;
      const counts = perProgram.get(ev.programName ?? '?') ?? [0, 0];
      perProgram.set(ev.programName ?? '?', counts);
      for (const { node } of walk(pb.nodes)) {
        if (node.text.trim() === '') continue;
        lines++;
        if (/^Proc = \d+ /.test(node.text)) procLines++;
        counts[0]++;
        if (node.range) {
          ranged++;
          counts[1]++;
        } else {
          // a reply's, or an indirect call's inner procedure (whose number lies before the inner arguments)
          assert.match(node.text, /^Proc = \d+ /, `${fx.name} frame ${ev.record.frameNo}: ${node.text}`);
          assert.ok(ev.msg.type === 'reply' || ['CALLIT', 'BCAST', 'INDIRECT'].includes(ev.procedureName ?? ''), node.text);
        }
      }
    }
  }
  const share = ranged / lines;
  t.diagnostic(`program-block lines with a range: ${ranged} of ${lines} (${(share * 100).toFixed(1)}%), blank lines left out`);
  t.diagnostic(`  the ${lines - ranged} without one are all \`Proc = N\` lines (of ${procLines}): replies', and inner calls' of CALLIT`);
  for (const [p, [n, k]] of [...perProgram].sort()) t.diagnostic(`  ${p}: ${k} of ${n} (${((k / n) * 100).toFixed(1)}%)`);
  assert.ok(lines > 10_000, 'the fixtures have program lines');
  assert.ok(share > 0.9, `share ${share}`);
});

// ------------------------------------------------------------------------------------------------ lower layers

test('layer lines: addresses, ports, MACs and TCP numbers are where the lines say, in the frame', async () => {
  const tally = new Tally();
  for (const fx of await CORPUS) {
    for (const f of fx.frames) {
      for (const blk of layerDetailBlocks(f)) {
        for (const { node } of walk(blk.nodes)) {
          const r = node.range;
          if (!r) continue;
          const b = bytesOf(f.bytes, r);
          const t = node.text;
          const where = `${fx.name} frame ${f.frameNo}: ${t}`;
          let x: RegExpExecArray | null;
          if ((x = /^(?:Source|Destination) address = ([0-9.]+), /.exec(t)) && blk.prefix.startsWith('IP:')) {
            assert.equal(formatIpv4(f.bytes, r.start), x[1], where);
            assert.equal(b.length, 4, where);
            tally.add('ipv4 address');
          } else if ((x = /^(?:Source|Destination) address = ([0-9a-f:]+)$/.exec(t)) && blk.prefix.startsWith('IPv6:')) {
            assert.equal(formatIpv6(f.bytes, r.start), x[1], where);
            assert.equal(b.length, 16, where);
            tally.add('ipv6 address');
          } else if ((x = /^(?:Source|Destination) port = (\d+)/.exec(t))) {
            assert.equal(be(b), BigInt(x[1]), where);
            assert.equal(b.length, 2, where);
            tally.add(`${blk.prefix.trim()} port`);
          } else if ((x = /^(?:Sequence|Acknowledgement) number = (\d+)$/.exec(t))) {
            assert.equal(be(b), BigInt(x[1]), where);
            tally.add('tcp seq/ack');
          } else if ((x = /^(?:Destination|Source     ) = ([0-9a-f:]+),/.exec(t))) {
            assert.equal(macText(f.bytes, r.start), x[1], where);
            tally.add('mac');
          } else if ((x = /^(?:Identification|Total length|Window|Payload length) = (\d+)/.exec(t))) {
            assert.equal(be(b), BigInt(x[1]), where);
            tally.add('16-bit fields');
          } else if ((x = /^(?:Ethertype|Protocol) = ([0-9A-F]{4}) \(/.exec(t))) {
            assert.equal(hex(b), x[1], where);
            tally.add('ethertype');
          }
        }
      }
    }
  }
  tally.expect(['ipv4 address', 'ipv6 address', 'UDP: port', 'TCP: port', 'tcp seq/ack', 'mac', '16-bit fields', 'ethertype']);
});
