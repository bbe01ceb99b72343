/**
 * RPCBIND v3/v4 (RFC 1833 §2) decoders on real traffic (rpcbind 1.2.6, rpcinfo, libtirpc clients in the lab) and on
 * replies built with XdrWriter where the lab gets none (CALLIT/BCAST/INDIRECT, a remote SET, hostile lists and
 * uaddrs). Lines are checked against snoop's formats (snoop-format.md §1.6, §2.6).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenDetail, type DetailNode } from '../src/format/detail';
import { PORTMAP_PROGRAM } from '../src/programs/portmap-program';
import { RPCBIND_V3, RPCBIND_V4 } from '../src/programs/rpcbind';
import type { IndirectArgs, RmtcallResult } from '../src/programs/indirect-call';
import type { Netbuf, Rpcb, RpcbEntry, RpcbMap, RpcbStatByVers, XdrList } from '../src/programs/portmap-xdr';
import { LearnedPorts } from '../src/programs/learned-ports';
import { FhNames } from '../src/programs/fh-names';
import { Registry, type DecodeContext, type LearnContext, type ProcedureDef } from '../src/rpc/registry';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { XdrError, XdrReader } from '../src/rpc/xdr';
import { decodeArgs, decodeResult, fixtureEvents, formatContext, ofProcedure } from './helpers/program-harness';
import { fixture, readTsv } from './helpers/fixtures';
import { XdrWriter } from './helpers/rpc-builders';

const registry = (): Registry => new Registry().register(PORTMAP_PROGRAM);
const fmt = () => formatContext({ registry: registry() });
const ctx = (truncated = false): DecodeContext => ({ transport: 'udp', registry: registry(), depth: 0, truncated });
const lines = (nodes: DetailNode[]): string[] => flattenDetail(nodes);

const cache = new Map<string, Promise<RpcEvent[]>>();
function events(name: string): Promise<RpcEvent[]> {
  if (!cache.has(name)) cache.set(name, fixtureEvents(name));
  return cache.get(name)!;
}

interface Exchange {
  call: RpcEvent;
  reply: RpcEvent | null;
}

/** Calls and their successful replies (same transaction), for one procedure. */
async function exchanges(name: string, vers: number, proc: number): Promise<Exchange[]> {
  const evs = ofProcedure(await events(name), 100000, vers, proc);
  return evs
    .filter((e) => e.msg.type === 'call')
    .map((call) => ({
      call,
      reply: evs.find((r) => r.msg.type === 'reply' && r.tx === call.tx && r.msg.replyStat === 0 && r.msg.acceptStat === 0) ?? null,
    }));
}

/** Decodes both sides of an exchange and returns the four texts (call/reply summary, call/reply detail). */
function show(def: ProcedureDef, x: Exchange): { a: unknown; r: unknown; call: string; reply: string; callLines: string[]; replyLines: string[] } {
  const f = fmt();
  const a = decodeArgs(def, x.call, registry());
  const r = x.reply ? decodeResult(def, x.reply, a, registry()) : undefined;
  return {
    a,
    r,
    call: def.callSummary!(a, f),
    reply: x.reply ? def.replySummary!(r, a, f) : '',
    callLines: lines(def.callDetail!(a, f)),
    replyLines: x.reply ? lines(def.replyDetail!(r, a, f)) : [],
  };
}

function learnContext(ports: LearnedPorts, server: string, transport: 'udp' | 'tcp'): LearnContext {
  return { transport, server, client: '192.0.2.99', ports, names: new FhNames() };
}

const ALL = 'rpcbind_all_procs_any_sll2.pcap';

test('NULL v3 and v4', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    const s = show(defs[0], (await exchanges(ALL, vers, 0))[0]);
    assert.equal(s.call, 'Null');
    assert.equal(s.reply, 'Null ');
    assert.deepEqual(s.callLines, ['Proc = 0 (Null procedure)', '']);
    assert.deepEqual(s.replyLines, ['Proc = 0 (Null procedure)', '']);
  }
});

test('SET v3/v4: snoop\'s prog/vers plus netid, uaddr, owner; the boolean', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    const s = show(defs[1], (await exchanges(ALL, vers, 1))[0]);
    assert.deepEqual(s.a, { r_prog: 400111, r_vers: 2, r_netid: 'udp', r_addr: '127.0.0.1.17.92', r_owner: 'corpus' });
    assert.equal(s.call, 'SET prog=400111 (?) vers=2 netid=udp uaddr=127.0.0.1.17.92 owner=corpus');
    assert.equal(s.reply, 'SET OK');
    assert.deepEqual(s.callLines, [
      'Proc = 1 (Set address)',
      'Program = 400111 (?)',
      'Version = 2',
      'Netid   = udp',
      'Uaddr   = 127.0.0.1.17.92',
      'Owner   = corpus',
      '',
    ]);
    assert.deepEqual(s.replyLines, ['Proc = 1 (Set address)', 'Result = True', '']);
    assert.equal(defs[1].learn, undefined, 'SET is a request: it teaches nothing');
  }
});

test('SET from a remote host (refused in the lab): the call decoded, replies built', async () => {
  const [x] = await exchanges('rpc_veth_any_sll.pcap', 4, 1);
  assert.equal(x.reply, null);
  assert.equal(x.call.record.src, '10.99.0.2');
  const SET = RPCBIND_V4[1];
  const a = decodeArgs(SET, x.call, registry());
  for (const [word, text] of [[1, 'SET OK'], [0, 'SET failed']] as const) {
    const r = SET.readResult!(new XdrReader(new XdrWriter().u32(word).bytes()), a, ctx());
    assert.equal(SET.replySummary!(r, a, fmt()), text);
  }
});

test('UNSET v3/v4', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    const s = show(defs[2], (await exchanges(ALL, vers, 2))[0]);
    assert.equal(s.call, 'UNSET prog=400111 (?) vers=2 netid=udp owner=corpus');
    assert.equal(s.reply, 'UNSET OK');
    assert.deepEqual(s.replyLines, ['Proc = 2 (Unset address)', 'Result = True', '']);
  }
});

test('GETADDR: `GETADDR  Uaddr=` (two spaces), the decoded port, -v lines', async () => {
  const GETADDR = RPCBIND_V4[3];
  const s = show(GETADDR, (await exchanges('rpcbind_rpcinfo_lo.pcapng', 4, 3))[1]);
  assert.deepEqual(s.a, { r_prog: 100003, r_vers: 3, r_netid: 'tcp', r_addr: '127.0.0.1.0.111', r_owner: 'libtirpc' });
  assert.deepEqual(s.r, { uaddr: '127.0.0.1.8.1', address: '127.0.0.1', port: 2049 });
  assert.equal(s.call, 'GETADDR prog=100003 (NFS) vers=3 netid=tcp');
  assert.equal(s.reply, 'GETADDR  Uaddr=127.0.0.1.8.1 port=2049');
  assert.deepEqual(s.callLines, [
    'Proc = 3 (Get address)',
    'Program = 100003 (NFS)',
    'Version = 3',
    'Netid   = tcp',
    'Uaddr   = 127.0.0.1.0.111',
    'Owner   = libtirpc',
    '',
  ]);
  assert.deepEqual(s.replyLines, ['Proc = 3 (Get address)', 'Uaddr = 127.0.0.1.8.1', '   Address = 127.0.0.1, Port = 2049', '']);
});

test('GETADDR of an unregistered program: empty uaddr, address and port null (not registered)', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    const xs = (await exchanges('rpc_errors_lo_nsec.pcap', vers, 3)).filter((x) => x.reply);
    assert.ok(xs.length >= 2);
    for (const x of xs) {
      const s = show(defs[3], x);
      assert.equal(s.call, 'GETADDR prog=100099 (AUTOFS) vers=1 netid=tcp');
      assert.deepEqual(s.r, { uaddr: '', address: null, port: null });
      assert.equal(s.reply, 'GETADDR  Uaddr= (not registered)');
      assert.deepEqual(s.replyLines, ['Proc = 3 (Get address)', 'Uaddr = (not registered)', '']);
      const ports = new LearnedPorts();
      defs[3].learn!(s.a, s.r, learnContext(ports, '127.0.0.1', 'udp'));
      assert.equal(ports.size, 0);
    }
  }
});

test('GETADDR over IPv6: ::1.8.1 universal addresses, learned for ::1', async () => {
  const xs = (await exchanges('nfs3_ipv6_lo.pcap', 3, 3)).filter((x) => x.reply);
  const nfs = xs.find((x) => (decodeArgs(RPCBIND_V3[3], x.call) as Rpcb).r_prog === 100003)!;
  const s = show(RPCBIND_V3[3], nfs);
  assert.equal(nfs.reply!.record.src, '::1');
  assert.deepEqual(s.r, { uaddr: '::1.8.1', address: '::1', port: 2049 });
  assert.equal(s.call, 'GETADDR prog=100003 (NFS) vers=3', 'empty netid: nothing added');
  assert.equal(s.reply, 'GETADDR  Uaddr=::1.8.1 port=2049');
  const ports = new LearnedPorts();
  RPCBIND_V3[3].learn!(s.a, s.r, learnContext(ports, '::1', nfs.call.record.transport));
  assert.deepEqual(ports.lookup('::1', 'tcp', 2049), { prog: 100003, vers: 3, source: 'GETADDR' });
});

test('GETADDR learning: the request\'s transport (RFC 1833 §2.2.1 ignores r_netid), the uaddr or the server', async () => {
  // From a remote client over UDP, asking for netid "udp6" and "tcp": rpcbind answers for UDP/IPv4.
  const xs = (await exchanges('rpc_veth_any_sll.pcap', 4, 3)).filter((x) => x.reply && x.call.record.transport === 'udp');
  const ports = new LearnedPorts();
  for (const x of xs) {
    const s = show(RPCBIND_V4[3], x);
    RPCBIND_V4[3].learn!(s.a, s.r, learnContext(ports, x.reply!.record.src, 'udp'));
  }
  assert.deepEqual(ports.entries(), [{ proto: 'udp', addr: '10.99.0.1', port: 2049, prog: 100003, vers: 3, source: 'GETADDR' }]);
  // A wildcard uaddr is the server's address.
  const GETADDR = RPCBIND_V4[3];
  const r = GETADDR.readResult!(new XdrReader(new XdrWriter().string('0.0.0.0.78.80').bytes()), undefined, ctx());
  const own = new LearnedPorts();
  GETADDR.learn!({ r_prog: 100005, r_vers: 3, r_netid: 'tcp', r_addr: '', r_owner: '' }, r, learnContext(own, '192.0.2.1', 'tcp'));
  assert.deepEqual(own.lookup('192.0.2.1', 'tcp', 20048), { prog: 100005, vers: 3, source: 'GETADDR' });
});

test('hostile uaddr: a length of 0xffffffff is an XdrError, in a DUMP list it ends the list', () => {
  const GETADDR = RPCBIND_V4[3];
  assert.throws(
    () => GETADDR.readResult!(new XdrReader(new XdrWriter().u32(0xffffffff).u32(0).bytes()), undefined, ctx()),
    (e: unknown) => e instanceof XdrError && e.kind === 'length_exceeded',
  );
  const w = new XdrWriter().u32(1).u32(100003).u32(3).string('tcp').string('0.0.0.0.8.1').string('superuser');
  w.u32(1).u32(100005).u32(3).string('udp').u32(0xffffffff);
  const list = RPCBIND_V4[4].readResult!(new XdrReader(w.bytes()), null, ctx()) as XdrList<RpcbMap>;
  assert.equal(list.entries.length, 1);
  assert.equal(list.incomplete, true);
  assert.equal(RPCBIND_V4[4].replySummary!(list, null, fmt()), 'DUMP 1+ map(s) found');
});

test('strings from the wire are printed safely: control characters escaped', () => {
  const SET = RPCBIND_V4[1];
  const a = SET.readArgs!(new XdrReader(new XdrWriter().u32(1).u32(1).string('udp\n').string('\x1b[2J').string('a\\b').bytes()), ctx());
  assert.equal(SET.callSummary!(a, fmt()), 'SET prog=1 (?) vers=1 netid=udp\\n uaddr=\\x1b[2J owner=a\\\\b');
  assert.ok(lines(SET.callDetail!(a, fmt())).every((l) => !/[\x00-\x1f]/.test(l)));
});

test('DUMP v3/v4: snoop\'s table, every uaddr decoded, learning by netid', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    const x = (await exchanges(ALL, vers, 4))[0];
    const s = show(defs[4], x);
    const list = s.r as XdrList<RpcbMap>;
    assert.equal(list.entries.length, 37);
    assert.equal(s.call, 'DUMP');
    assert.equal(s.reply, 'DUMP 37 map(s) found');
    assert.deepEqual(s.replyLines.slice(0, 4), [
      'Proc = 4 (Dump the mappings)',
      '',
      ' Program Vers Netid        Uaddr              Owner',
      '  100000    4 tcp6         ::.0.111           superuser  (PORTMAP)',
    ]);
    assert.ok(s.replyLines.includes('  100000    3 local        /run/rpcbind.sock  superuser  (PORTMAP)'));
    assert.ok(s.replyLines.includes('  400111    2 udp          127.0.0.1.17.92    unknown    (?)'));
    assert.deepEqual(s.replyLines.slice(-2), [' (37 maps)', '']);
    const local = list.entries.find((m) => m.r_netid === 'local')!;
    assert.deepEqual([local.address, local.port], [null, null]);
    const nfs6 = list.entries.find((m) => m.r_prog === 100003 && m.r_netid === 'tcp6')!;
    assert.deepEqual([nfs6.address, nfs6.port], ['::', 2049]);
    const ports = new LearnedPorts();
    defs[4].learn!(null, list, learnContext(ports, '127.0.0.1', x.call.record.transport));
    assert.deepEqual(ports.lookup('127.0.0.1', 'tcp', 2049), { prog: 100003, vers: 3, source: 'DUMP' });
    assert.deepEqual(ports.lookup('127.0.0.1', 'udp', 4444), { prog: 400111, vers: 2, source: 'DUMP' });
    assert.deepEqual(ports.lookup('127.0.0.1', 'udp', 32803), { prog: 100021, vers: 4, source: 'DUMP' });
  }
});

test('DUMP cut by the snaplen: ` N+ maps. (Frame is incomplete)`', async () => {
  const { reply } = (await exchanges(ALL, 3, 4))[0];
  const at = reply!.msg.bodyOffset;
  const list = RPCBIND_V3[4].readResult!(new XdrReader(reply!.record.bytes, at, at + 150), null, ctx(true)) as XdrList<RpcbMap>;
  assert.equal(list.incomplete, true);
  assert.equal(list.entries.length, 3);
  assert.equal(RPCBIND_V3[4].replySummary!(list, null, fmt()), 'DUMP 3+ map(s) found');
  assert.deepEqual(lines(RPCBIND_V3[4].replyDetail!(list, null, fmt())).slice(-2), [' 3+ maps. (Frame is incomplete)', '']);
});

/** rpcb_rmtcallres: uaddr and opaque results. */
const rmtcallres = (uaddr: string, results: Uint8Array): Uint8Array => new XdrWriter().string(uaddr).opaque(results).bytes();

test('CALLIT (v3, BCAST on snoop\'s line), BCAST and INDIRECT (v4): calls from the capture, replies built', async () => {
  const tsv = readTsv(fixture(`${ALL}.tsv`), ['portmap.prog']);
  const cases: Array<[number, number, ProcedureDef, string, string]> = [
    [3, 5, RPCBIND_V3[5], 'BCAST', 'Broadcast call (no error)'],
    [4, 5, RPCBIND_V4[5], 'BCAST', 'Broadcast call (no error)'],
    [4, 10, RPCBIND_V4[10], 'INDIRECT', 'Indirect call (return error)'],
  ];
  for (const [vers, proc, def, shown, long] of cases) {
    const xs = await exchanges(ALL, vers, proc);
    assert.ok(xs.length >= 1);
    const s = show(def, { call: xs[0].call, reply: null });
    const a = s.a as IndirectArgs;
    assert.equal(String(a.prog), tsv.find((t) => t['frame.number'] === String(xs[0].call.record.frameNo))!['portmap.prog']);
    assert.equal(s.call, `${shown} prog=NFS vers=3 proc=0`);
    assert.deepEqual(s.callLines, [`Proc = ${proc} (${long})`, 'Program = 100003 (NFS)', 'Version = 3', 'Proc    = 0', 'Callit data = 0 bytes', '']);
    const r = def.readResult!(new XdrReader(rmtcallres('10.99.0.1.8.1', new Uint8Array(0))), a, ctx()) as RmtcallResult;
    assert.deepEqual(r, { addr: '10.99.0.1.8.1', address: '10.99.0.1', port: 2049, resLength: 0, inner: 'no_decoder' });
    assert.equal(def.replySummary!(r, a, fmt()), `${shown} Uaddr=10.99.0.1.8.1 len=0`);
    assert.deepEqual(lines(def.replyDetail!(r, a, fmt())), [
      `Proc = ${proc} (${long})`,
      'Uaddr = 10.99.0.1.8.1',
      '   Address = 10.99.0.1, Port = 2049',
      'Length = 0 bytes',
      '',
    ]);
    const ports = new LearnedPorts();
    def.learn!(a, r, learnContext(ports, '10.99.0.1', 'udp'));
    assert.deepEqual(ports.entries(), [{ proto: 'udp', addr: '10.99.0.1', port: 2049, prog: 100003, vers: 3, source: def.name }]);
  }
  assert.equal(RPCBIND_V3[5].name, 'CALLIT', 'the RFC name stays CALLIT in v3');
});

test('INDIRECT of RPCBIND GETADDR: inner rpcb and uaddr decoded by GETADDR itself', () => {
  const INDIRECT = RPCBIND_V4[10];
  const inner = new XdrWriter().u32(100003).u32(3).string('udp').string('').string('').bytes();
  const a = INDIRECT.readArgs!(new XdrReader(new XdrWriter().u32(100000).u32(4).u32(3).opaque(inner).bytes()), ctx()) as IndirectArgs;
  assert.equal(INDIRECT.callSummary!(a, fmt()), 'INDIRECT prog=PORTMAP vers=4 proc=3 [RPCBIND C GETADDR prog=100003 (NFS) vers=3 netid=udp]');
  const r = INDIRECT.readResult!(new XdrReader(rmtcallres('127.0.0.1.0.111', new XdrWriter().string('127.0.0.1.8.1').bytes())), a, ctx()) as RmtcallResult;
  assert.deepEqual(r.res, { uaddr: '127.0.0.1.8.1', address: '127.0.0.1', port: 2049 });
  assert.equal(INDIRECT.replySummary!(r, a, fmt()), 'INDIRECT Uaddr=127.0.0.1.0.111 len=20 [RPCBIND R GETADDR  Uaddr=127.0.0.1.8.1 port=2049]');
  const d = lines(INDIRECT.replyDetail!(r, a, fmt()));
  assert.deepEqual(d.slice(3), ['Length = 20 bytes', '', '----- RPC Bind -----', '', 'Proc = 3 (Get address)', 'Uaddr = 127.0.0.1.8.1', '   Address = 127.0.0.1, Port = 2049', '']);
});

test('GETTIME: a uint32 epoch as snoop\'s `dd-Mon-yy HH:MM:SS GMT`, matching the capture\'s clock', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    for (const x of await exchanges(ALL, vers, 6)) {
      const s = show(defs[6], x);
      const t = (s.r as { time: number }).time;
      assert.ok(Math.abs(t - x.reply!.record.ts.sec) <= 1, `server time ${t} vs capture ${x.reply!.record.ts.sec}`);
    }
  }
  const s = show(RPCBIND_V3[6], (await exchanges(ALL, 3, 6))[0]);
  assert.deepEqual(s.r, { time: 0x6b0105b8 });
  assert.equal(s.call, 'GETTIME');
  assert.equal(s.reply, 'GETTIME 21-Nov-26 02:45:12 GMT');
  assert.deepEqual(s.replyLines, ['Proc = 6 (Get the time)', 'Time = 21-Nov-26 02:45:12 GMT', '']);
  const late = RPCBIND_V4[6].readResult!(new XdrReader(new XdrWriter().u32(0xfffffffe).bytes()), null, ctx());
  assert.equal(RPCBIND_V4[6].replySummary!(late, null, fmt()), 'GETTIME 07-Feb-06 06:28:14 GMT', 'unsigned: 2106, not 1901');
});

test('UADDR2TADDR and TADDR2UADDR: uaddr ↔ netbuf (a Linux sockaddr_in)', async () => {
  for (const vers of [3, 4]) {
    const defs = vers === 3 ? RPCBIND_V3 : RPCBIND_V4;
    const u2t = show(defs[7], (await exchanges(ALL, vers, 7))[0]);
    assert.deepEqual(u2t.a, { uaddr: '127.0.0.1.8.1' });
    const nb = u2t.r as Netbuf;
    assert.equal(nb.maxlen, 16);
    assert.equal(Buffer.from(nb.buf).toString('hex'), '020008017f0000010000000000000000');
    assert.deepEqual([nb.address, nb.port], ['127.0.0.1', 2049]);
    assert.equal(u2t.call, 'UADDR2TADDR Uaddr=127.0.0.1.8.1');
    assert.equal(u2t.reply, 'UADDR2TADDR Taddr=127.0.0.1 port=2049');
    assert.deepEqual(u2t.replyLines, [
      'Proc = 7 (Universal to transport address)',
      'Maxlen = 16',
      'Taddr = 020008017F0000010000000000000000 (16 bytes)',
      '   Address = 127.0.0.1, Port = 2049',
      '',
    ]);
    const t2u = show(defs[8], (await exchanges(ALL, vers, 8))[0]);
    assert.equal(t2u.call, 'TADDR2UADDR Taddr=127.0.0.1 port=2049');
    assert.deepEqual(t2u.r, { uaddr: '127.0.0.1.8.1', address: '127.0.0.1', port: 2049 });
    assert.equal(t2u.reply, 'TADDR2UADDR  Uaddr=127.0.0.1.8.1 port=2049');
    assert.deepEqual(t2u.replyLines, ['Proc = 8 (Transport to universal address)', 'Uaddr = 127.0.0.1.8.1', '   Address = 127.0.0.1, Port = 2049', '']);
  }
  const empty = RPCBIND_V4[7].readResult!(new XdrReader(new XdrWriter().u32(0).u32(0).bytes()), null, ctx());
  assert.equal(RPCBIND_V4[7].replySummary!(empty, null, fmt()), 'UADDR2TADDR Taddr= (none)');
});

test('GETVERSADDR (v4)', async () => {
  const x = (await exchanges(ALL, 4, 9))[0];
  const s = show(RPCBIND_V4[9], x);
  assert.equal(s.call, 'GETVERSADDR prog=100005 (MOUNT) vers=3 netid=tcp');
  assert.equal(s.reply, 'GETVERSADDR  Uaddr=127.0.0.1.78.80 port=20048');
  assert.equal(s.callLines[0], 'Proc = 9 (Get address of specific version)');
  assert.deepEqual(s.replyLines.slice(1), ['Uaddr = 127.0.0.1.78.80', '   Address = 127.0.0.1, Port = 20048', '']);
  const ports = new LearnedPorts();
  RPCBIND_V4[9].learn!(s.a, s.r, learnContext(ports, '127.0.0.1', 'udp'));
  assert.deepEqual(ports.entries(), [{ proto: 'udp', addr: '127.0.0.1', port: 20048, prog: 100005, vers: 3, source: 'GETVERSADDR' }]);
});

test('GETADDRLIST (v4): snoop\'s table, and every entry learned', async () => {
  const x = (await exchanges('rpcbind_rpcinfo_lo.pcapng', 4, 11))[0];
  const s = show(RPCBIND_V4[11], x);
  const list = s.r as XdrList<RpcbEntry>;
  assert.equal(s.call, 'GETADDRLIST prog=100003 (NFS) vers=3 netid=tcp');
  assert.equal(s.reply, 'GETADDRLIST 2 map(s) found');
  assert.deepEqual(list.entries[1], {
    r_maddr: '127.0.0.1.8.1',
    r_nc_netid: 'tcp',
    r_nc_semantics: 3,
    r_nc_protofmly: 'inet',
    r_nc_proto: 'tcp',
    address: '127.0.0.1',
    port: 2049,
  });
  assert.deepEqual(s.replyLines, [
    'Proc = 11 (Return addresses of prog/vers)',
    '',
    ' Maddr      Netid        Semantics Protofmly Proto',
    '127.0.0.1.8.1 udp          CLTS     inet     udp     ',
    '127.0.0.1.8.1 tcp          COTS-ORD inet     tcp     ',
    ' (2 maps)',
    '',
  ]);
  const ports = new LearnedPorts();
  RPCBIND_V4[11].learn!(s.a, list, learnContext(ports, '127.0.0.1', 'tcp'));
  assert.deepEqual(
    ports.entries().map((e) => `${e.proto} ${e.addr} ${e.port} ${e.prog}`),
    ['udp 127.0.0.1 2049 100003', 'tcp 127.0.0.1 2049 100003'],
  );
});

test('GETSTAT (v4): rpcb_stat_byvers decoded completely (snoop does not)', async () => {
  const x = (await exchanges(ALL, 4, 12))[0];
  const s = show(RPCBIND_V4[12], x);
  const st = s.r as RpcbStatByVers;
  assert.equal(st.incomplete, false);
  assert.deepEqual(st.stats.map((v) => v.vers), [2, 3, 4]);
  const v2 = st.stats[0];
  assert.deepEqual(v2.info.slice(0, 6), [83, 12, 6, 115, 37, 6]);
  assert.deepEqual([v2.setinfo, v2.unsetinfo], [12, 6]);
  assert.equal(v2.addrinfo.length, 9);
  assert.deepEqual(v2.addrinfo[0], { prog: 100003, vers: 3, success: 4, failure: 0, netid: 'udp' });
  assert.deepEqual(v2.rmtinfo, [
    { prog: 100005, vers: 3, proc: 5, success: 2, failure: 0, indirect: 1, netid: 'udp' },
    { prog: 100003, vers: 3, proc: 0, success: 2, failure: 0, indirect: 1, netid: 'udp' },
  ]);
  assert.equal(s.call, 'GETSTAT');
  assert.equal(s.reply, 'GETSTAT 482 calls (v2 259, v3 123, v4 100)');
  assert.deepEqual(s.replyLines.slice(0, 6), [
    'Proc = 12 (Get statistics)',
    'PORTMAP (version 2) statistics',
    '   NULL = 83, SET = 12, UNSET = 6, GETPORT = 115, DUMP = 37, CALLIT = 6',
    '   Successful SET = 12, successful UNSET = 6',
    '   Address lookups (GETPORT): 9',
    '     Program Vers Netid        Success Failure',
  ]);
  assert.ok(s.replyLines.includes('      100003    3 udp                4       0 (NFS)'));
  assert.ok(s.replyLines.includes('   Remote calls (BCAST/INDIRECT): 1'));
  assert.ok(s.replyLines.includes('      100005    3     5 udp                2       0        1 (MOUNT)'));
  assert.equal(s.replyLines.at(-1), '');

  // Cut at every word: the versions read so far, flagged.
  const at = x.reply!.msg.bodyOffset;
  for (let end = at; end < x.reply!.record.bytes.length; end += 4) {
    const cut = RPCBIND_V4[12].readResult!(new XdrReader(x.reply!.record.bytes, at, end), null, ctx(true)) as RpcbStatByVers;
    assert.equal(cut.incomplete, true);
    assert.match(RPCBIND_V4[12].replySummary!(cut, null, fmt()), /^GETSTAT \d+\+ calls.*\(incomplete\)$/);
    assert.equal(lines(RPCBIND_V4[12].replyDetail!(cut, null, fmt())).at(-2), ' (Frame is incomplete)');
  }
  const other = show(RPCBIND_V4[12], (await exchanges('rpcbind_rpcinfo_lo.pcapng', 4, 12))[0]);
  assert.equal((other.r as RpcbStatByVers).incomplete, false);
});

test('every RPCBIND v3/v4 message of every fixture decodes and formats; cut at any word, only XdrError', async () => {
  const names = [ALL, 'rpc_veth_any_sll.pcap', 'rpcbind_rpcinfo_lo.pcapng', 'nfs3_ipv6_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'nfs3_udp_lo.pcap'];
  let n = 0;
  for (const name of names) {
    for (const [vers, defs] of [[3, RPCBIND_V3], [4, RPCBIND_V4]] as const) {
      for (let proc = 0; proc < defs.length; proc++) {
        for (const x of await exchanges(name, vers, proc)) {
          const s = show(defs[proc], x);
          n += x.reply ? 2 : 1;
          if (!x.reply) continue;
          assert.ok(s.reply.length > 0);
          const at = x.reply.msg.bodyOffset;
          for (let end = at; end < x.reply.record.bytes.length; end += 4) {
            try {
              defs[proc].readResult!(new XdrReader(x.reply.record.bytes, at, end), s.a, ctx(true));
            } catch (e) {
              assert.ok(e instanceof XdrError, `${name} #${x.reply.record.frameNo} cut at ${end}: ${String(e)}`);
            }
          }
        }
      }
    }
  }
  assert.ok(n > 200, `${n} messages`);
});
