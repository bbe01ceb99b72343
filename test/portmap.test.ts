/**
 * PORTMAP v2 (RFC 1833 §3) decoders on real traffic (rpcbind 1.2.6 in the lab) and on replies built with XdrWriter
 * where the lab cannot produce them (CALLIT replies, nested CALLIT, hostile lists). Values are checked against
 * tshark's portmap.prog / portmap.port columns; lines against snoop's formats (snoop-format.md §1.5, §2.6).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenDetail } from '../src/format/detail';
import { PORTMAP_PROGRAM } from '../src/programs/portmap-program';
import { PORTMAP_V2, type PortResult } from '../src/programs/portmap';
import type { CallitResult, IndirectArgs } from '../src/programs/indirect-call';
import { MAX_LIST_ENTRIES, type Mapping, type XdrList } from '../src/programs/portmap-xdr';
import { LearnedPorts } from '../src/programs/learned-ports';
import { FhNames } from '../src/programs/fh-names';
import { Registry, type DecodeContext, type LearnContext, type ProcedureDef, type ProgramDef } from '../src/rpc/registry';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { XdrError, XdrReader } from '../src/rpc/xdr';
import { decodeArgs, decodeResult, fixtureEvents, formatContext, ofProcedure } from './helpers/program-harness';
import { fixture, readTsv } from './helpers/fixtures';
import { XdrWriter } from './helpers/rpc-builders';

const registry = (): Registry => new Registry().register(PORTMAP_PROGRAM);
const fmt = (reg = registry()) => formatContext({ registry: reg });
const ctx = (reg = registry(), truncated = false): DecodeContext => ({ transport: 'udp', registry: reg, depth: 0, truncated });
const lines = (nodes: ReturnType<NonNullable<ProcedureDef['callDetail']>>): string[] => flattenDetail(nodes);

const cache = new Map<string, Promise<RpcEvent[]>>();
function events(name: string): Promise<RpcEvent[]> {
  if (!cache.has(name)) cache.set(name, fixtureEvents(name));
  return cache.get(name)!;
}

/** Calls and their successful replies (same transaction), for one procedure. */
async function exchanges(name: string, vers: number, proc: number): Promise<Array<{ call: RpcEvent; reply: RpcEvent | null }>> {
  const evs = ofProcedure(await events(name), 100000, vers, proc);
  return evs
    .filter((e) => e.msg.type === 'call')
    .map((call) => ({
      call,
      reply: evs.find((r) => r.msg.type === 'reply' && r.tx === call.tx && r.msg.replyStat === 0 && r.msg.acceptStat === 0) ?? null,
    }));
}

function learnContext(ports: LearnedPorts, server: string, transport: 'udp' | 'tcp' = 'udp'): LearnContext {
  return { transport, server, client: '192.0.2.99', ports, names: new FhNames() };
}

const [NULL, SET, UNSET, GETPORT, DUMP, CALLIT] = PORTMAP_V2;

test('the program entry: PORTMAP v2 / RPCBIND v3-v4 names, layers and -v blocks', () => {
  assert.equal(PORTMAP_PROGRAM.prog, 100000);
  assert.deepEqual(
    [2, 3, 4].map((v) => PORTMAP_PROGRAM.versions[v].map((p) => p?.name).join(' ')),
    [
      'NULL SET UNSET GETPORT DUMP CALLIT',
      'NULL SET UNSET GETADDR DUMP CALLIT GETTIME UADDR2TADDR TADDR2UADDR',
      'NULL SET UNSET GETADDR DUMP BCAST GETTIME UADDR2TADDR TADDR2UADDR GETVERSADDR INDIRECT GETADDRLIST GETSTAT',
    ],
  );
  assert.deepEqual([1, 2, 3, 4, 5].map((v) => PORTMAP_PROGRAM.layer?.(v) ?? null), [null, 'PORTMAP', 'RPCBIND', 'RPCBIND', null]);
  assert.deepEqual(PORTMAP_PROGRAM.verbose?.(2), { prefix: 'PMAP:  ', title: 'Portmapper' });
  assert.deepEqual(PORTMAP_PROGRAM.verbose?.(4), { prefix: 'RPCB:  ', title: 'RPC Bind' });
  assert.equal(registry().programName(100000, 2), 'PORTMAP');
  assert.equal(registry().programName(100000, 3), 'RPCBIND');
});

test('NULL: `Null` and `Null ` (trailing space), Proc = 0 (Null procedure)', async () => {
  const [{ call, reply }] = await exchanges('rpcbind_all_procs_any_sll2.pcap', 2, 0);
  const f = fmt();
  const a = decodeArgs(NULL, call, registry());
  const r = decodeResult(NULL, reply!, a, registry());
  assert.equal(NULL.callSummary!(a, f), 'Null');
  assert.equal(NULL.replySummary!(r, a, f), 'Null ');
  assert.deepEqual(lines(NULL.callDetail!(a, f)), ['Proc = 0 (Null procedure)', '']);
  assert.deepEqual(lines(NULL.replyDetail!(r, a, f)), ['Proc = 0 (Null procedure)', '']);
});

test('SET: the mapping and the boolean (snoop shows neither), checked against tshark', async () => {
  const tsv = readTsv(fixture('rpcbind_all_procs_any_sll2.pcap.tsv'), ['portmap.prog', 'portmap.port']);
  const xs = await exchanges('rpcbind_all_procs_any_sll2.pcap', 2, 1);
  assert.equal(xs.length, 4);
  const f = fmt();
  for (const { call, reply } of xs) {
    const m = decodeArgs(SET, call, registry()) as Mapping;
    const row = tsv.find((t) => t['frame.number'] === String(call.record.frameNo))!;
    assert.equal(String(m.prog), row['portmap.prog']);
    assert.equal(String(m.port), row['portmap.port']);
    const r = decodeResult(SET, reply!, m, registry());
    assert.deepEqual(r, { result: true });
    assert.equal(SET.replySummary!(r, m, f), 'SET OK');
  }
  const m = decodeArgs(SET, xs[0].call, registry());
  assert.equal(SET.callSummary!(m, f), 'SET prog=400111 (?) vers=1 proto=UDP port=4444');
  assert.equal(SET.callSummary!(decodeArgs(SET, xs[1].call, registry()), f), 'SET prog=400111 (?) vers=1 proto=TCP port=4444');
  assert.deepEqual(lines(SET.callDetail!(m, f)), [
    'Proc = 1 (Set port)',
    'Program = 400111 (?)',
    'Version = 1',
    'Protocol = 17 (UDP)',
    'Port = 4444',
    '',
  ]);
  assert.deepEqual(lines(SET.replyDetail!({ result: true }, m, f)), ['Proc = 1 (Set port)', 'Result = True', '']);
  assert.equal(SET.learn, undefined, 'SET is a request: it teaches nothing');
});

test('SET from a remote host: the call from the capture, a refusal built (the lab gets AUTH_TOOWEAK)', async () => {
  const [{ call, reply }] = await exchanges('rpc_veth_any_sll.pcap', 2, 1);
  assert.equal(reply, null, 'rpcbind refuses a remote SET with MSG_DENIED');
  assert.equal(call.record.src, '10.99.0.2');
  const m = decodeArgs(SET, call, registry());
  const r = SET.readResult!(new XdrReader(new XdrWriter().u32(0).bytes()), m, ctx());
  assert.equal(SET.replySummary!(r, m, fmt()), 'SET failed');
  assert.deepEqual(lines(SET.replyDetail!(r, m, fmt())), ['Proc = 1 (Set port)', 'Result = False', '']);
});

test('UNSET: mapping and boolean', async () => {
  const [{ call, reply }] = await exchanges('rpcbind_all_procs_any_sll2.pcap', 2, 2);
  const f = fmt();
  const m = decodeArgs(UNSET, call, registry());
  assert.deepEqual(m, { prog: 400111, vers: 1, prot: 17, port: 0 });
  assert.equal(UNSET.callSummary!(m, f), 'UNSET prog=400111 (?) vers=1 proto=UDP port=0');
  const r = decodeResult(UNSET, reply!, m, registry());
  assert.equal(UNSET.replySummary!(r, m, f), 'UNSET OK');
  assert.deepEqual(lines(UNSET.replyDetail!(r, m, f)), ['Proc = 2 (Unset port)', 'Result = True', '']);
});

test('GETPORT: snoop lines, tshark values, port 0 (not registered), and learning', async () => {
  const f = fmt();
  const [{ call, reply }] = await exchanges('nfs3_udp_lo.pcap', 2, 3);
  const m = decodeArgs(GETPORT, call, registry()) as Mapping;
  const r = decodeResult(GETPORT, reply!, m, registry()) as PortResult;
  assert.equal(GETPORT.callSummary!(m, f), 'GETPORT prog=100005 (MOUNT) vers=3 proto=UDP');
  assert.equal(GETPORT.replySummary!(r, m, f), 'GETPORT port=20048');
  assert.deepEqual(lines(GETPORT.callDetail!(m, f)), [
    'Proc = 3 (Get port number)',
    'Program = 100005 (MOUNT)',
    'Version = 3',
    'Protocol = 17 (UDP)',
    '',
  ]);
  assert.deepEqual(lines(GETPORT.replyDetail!(r, m, f)), ['Proc = 3 (Get port number)', 'Port = 20048', '']);

  // Every GETPORT of three captures against tshark (TCP in nfs3_browse_lo, port 0 in rpc_errors_lo_nsec).
  for (const name of ['nfs3_browse_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'rpcbind_all_procs_any_sll2.pcap']) {
    const tsv = readTsv(fixture(`${name}.tsv`), ['portmap.prog', 'portmap.port']);
    const byFrame = (n: number) => tsv.find((t) => t['frame.number'] === String(n))!;
    const xs = await exchanges(name, 2, 3);
    assert.ok(xs.length > 0);
    for (const x of xs) {
      const a = decodeArgs(GETPORT, x.call, registry()) as Mapping;
      assert.equal(String(a.prog), byFrame(x.call.record.frameNo)['portmap.prog'], `${name} #${x.call.record.frameNo}`);
      const res = decodeResult(GETPORT, x.reply!, a, registry()) as PortResult;
      assert.equal(String(res.port), byFrame(x.reply!.record.frameNo)['portmap.port'], `${name} #${x.reply!.record.frameNo}`);
    }
  }

  const zero = (await exchanges('rpc_errors_lo_nsec.pcap', 2, 3)).find((x) => (decodeResult(GETPORT, x.reply!, undefined) as PortResult).port === 0)!;
  const zm = decodeArgs(GETPORT, zero.call, registry()) as Mapping;
  assert.equal(GETPORT.callSummary!(zm, f), 'GETPORT prog=100099 (AUTOFS) vers=1 proto=TCP');
  assert.equal(GETPORT.replySummary!({ port: 0 }, zm, f), 'GETPORT port=0 (not registered)');

  const ports = new LearnedPorts();
  GETPORT.learn!(m, r, learnContext(ports, '127.0.0.1'));
  GETPORT.learn!(zm, { port: 0 }, learnContext(ports, '127.0.0.1'));
  GETPORT.learn!({ prog: 100003, vers: 3, prot: 132, port: 0 }, { port: 2049 }, learnContext(ports, '127.0.0.1'));
  assert.deepEqual(ports.entries(), [{ proto: 'udp', addr: '127.0.0.1', port: 20048, prog: 100005, vers: 3, source: 'GETPORT' }]);
});

test('GETPORT for an unknown protocol: the number, not snoop\'s empty name', () => {
  const m: Mapping = { prog: 100003, vers: 3, prot: 132, port: 0 };
  assert.equal(GETPORT.callSummary!(m, fmt()), 'GETPORT prog=100003 (NFS) vers=3 proto=132');
  assert.ok(lines(GETPORT.callDetail!(m, fmt())).includes('Protocol = 132 (?)'));
});

test('DUMP: every mapping, as tshark lists them, snoop\'s table, and learning', async () => {
  const tsv = readTsv(fixture('rpcbind_all_procs_any_sll2.pcap.tsv'), ['portmap.prog', 'portmap.port']);
  const f = fmt();
  for (const { call, reply } of await exchanges('rpcbind_all_procs_any_sll2.pcap', 2, 4)) {
    const list = decodeResult(DUMP, reply!, decodeArgs(DUMP, call, registry())) as XdrList<Mapping>;
    const row = tsv.find((t) => t['frame.number'] === String(reply!.record.frameNo))!;
    assert.equal(list.entries.map((m) => m.prog).join(','), row['portmap.prog']);
    assert.equal(list.entries.map((m) => m.port).join(','), row['portmap.port']);
    assert.equal(list.incomplete, false);
    assert.equal(DUMP.callSummary!(null, f), 'DUMP');
    assert.equal(DUMP.replySummary!(list, null, f), 'DUMP 20 map(s) found');
    const d = lines(DUMP.replyDetail!(list, null, f));
    assert.deepEqual(d.slice(0, 3), ['Proc = 4 (Dump the mappings)', ' Program Version Protocol   Port', '  100000       4        6    111  PORTMAP']);
    assert.ok(d.includes('  100003       3       17   2049  NFS'));
    assert.ok(d.includes('  400111       1        6   4444  ?'));
    assert.deepEqual(d.slice(-2), [' 20 maps', '']);
    const ports = new LearnedPorts();
    DUMP.learn!(null, list, learnContext(ports, '127.0.0.1', call.record.transport));
    assert.deepEqual(ports.lookup('127.0.0.1', 'tcp', 2049), { prog: 100003, vers: 3, source: 'DUMP' });
    assert.deepEqual(ports.lookup('127.0.0.1', 'udp', 20048), { prog: 100005, vers: 3, source: 'DUMP' });
    assert.deepEqual(ports.lookup('127.0.0.1', 'tcp', 4444), { prog: 400111, vers: 1, source: 'DUMP' });
  }
});

test('DUMP cut by the snaplen keeps the maps read so far: `N+ map(s) found`', async () => {
  const [{ reply }] = await exchanges('rpcbind_all_procs_any_sll2.pcap', 2, 4);
  const b = reply!.record.bytes;
  const at = reply!.msg.bodyOffset;
  // 3 entries (value-follows + mapping = 20 bytes each), then 8 bytes of the 4th.
  const r = new XdrReader(b, at, at + 3 * 20 + 8);
  const list = DUMP.readResult!(r, null, ctx(registry(), true)) as XdrList<Mapping>;
  assert.equal(list.entries.length, 3);
  assert.equal(list.incomplete, true);
  assert.equal(DUMP.replySummary!(list, null, fmt()), 'DUMP 3+ map(s) found');
  assert.deepEqual(lines(DUMP.replyDetail!(list, null, fmt())).slice(-2), [' 3+ maps. (Frame is incomplete)', '']);
});

test('hostile DUMP: a "value follows" of 2^31 with nothing after it, a list past the cap', () => {
  const w = new XdrWriter().u32(0x80000000);
  const empty = DUMP.readResult!(new XdrReader(w.bytes()), null, ctx()) as XdrList<Mapping>;
  assert.deepEqual(empty, { entries: [], incomplete: true });

  const big = new XdrWriter();
  for (let i = 0; i < MAX_LIST_ENTRIES + 10; i++) big.u32(1).u32(100003).u32(3).u32(17).u32(2049);
  big.u32(0);
  const list = DUMP.readResult!(new XdrReader(big.bytes()), null, ctx()) as XdrList<Mapping>;
  assert.equal(list.entries.length, MAX_LIST_ENTRIES);
  assert.equal(list.incomplete, true);
  assert.equal(DUMP.replySummary!(list, null, fmt()), `DUMP ${MAX_LIST_ENTRIES}+ map(s) found`);
});

/** A stand-in NFS program with a decoded NULL, to see CALLIT hand its data to the inner procedure. */
const FAKE_NFS: ProgramDef = {
  prog: 100003,
  name: 'NFS',
  versions: {
    3: [
      {
        name: 'NULL',
        readArgs: () => null,
        readResult: () => null,
        callSummary: () => 'NULL3',
        replySummary: () => 'NULL3 ',
        callDetail: () => [{ text: 'Proc = 0 (Null procedure)' }, { text: '' }],
        replyDetail: () => [{ text: 'Proc = 0 (Null procedure)' }, { text: '' }],
      },
    ],
  },
  layer: () => 'NFS',
  verbose: () => ({ prefix: 'NFS:  ', title: 'Sun NFS' }),
};

test('CALLIT: calls from the capture (no reply: rpcbind stays silent), replies built', async () => {
  const xs = await exchanges('rpcbind_all_procs_any_sll2.pcap', 2, 5);
  const tsv = readTsv(fixture('rpcbind_all_procs_any_sll2.pcap.tsv'), ['portmap.prog']);
  assert.equal(xs.length, 4);
  for (const x of xs) {
    assert.equal(x.reply, null);
    const a = decodeArgs(CALLIT, x.call, registry()) as IndirectArgs;
    assert.equal(String(a.prog), tsv.find((t) => t['frame.number'] === String(x.call.record.frameNo))!['portmap.prog']);
  }
  // Only PORTMAP registered: NFS is not decoded, snoop's text alone.
  const plain = decodeArgs(CALLIT, xs[0].call, registry()) as IndirectArgs;
  assert.deepEqual(plain, { prog: 100003, vers: 3, proc: 0, argsLength: 0, inner: 'no_decoder' });
  assert.equal(CALLIT.callSummary!(plain, fmt()), 'CALLIT prog=NFS vers=3 proc=0');
  assert.equal(CALLIT.callSummary!(decodeArgs(CALLIT, xs[1].call, registry()), fmt()), 'CALLIT prog=MOUNT vers=3 proc=5');
  assert.deepEqual(lines(CALLIT.callDetail!(plain, fmt())), [
    'Proc = 5 (Indirect call)',
    'Program = 100003 (NFS)',
    'Version = 3',
    'Proc    = 0',
    'Callit data = 0 bytes',
    '',
  ]);

  // With NFS registered, the inner call and the built reply are shown through NFS's own formatters.
  const reg = registry().register(FAKE_NFS);
  const f = fmt(reg);
  const a = decodeArgs(CALLIT, xs[0].call, reg) as IndirectArgs;
  assert.equal(a.inner, 'decoded');
  assert.equal(CALLIT.callSummary!(a, f), 'CALLIT prog=NFS vers=3 proc=0 [NFS C NULL3]');
  assert.deepEqual(lines(CALLIT.callDetail!(a, f)).slice(4), ['Callit data = 0 bytes', '', '----- Sun NFS -----', '', 'Proc = 0 (Null procedure)', '']);
  const res = CALLIT.readResult!(new XdrReader(new XdrWriter().u32(2049).u32(0).bytes()), a, ctx(reg)) as CallitResult;
  assert.deepEqual(res, { port: 2049, resLength: 0, inner: 'decoded', res: null });
  assert.equal(CALLIT.replySummary!(res, a, f), 'CALLIT port=2049 len=0 [NFS R NULL3]');
  assert.deepEqual(lines(CALLIT.replyDetail!(res, a, f)), [
    'Proc = 5 (Indirect call)',
    'Port = 2049',
    'Length = 0 bytes',
    '',
    '----- Sun NFS -----',
    '',
    'Proc = 0 (Null procedure)',
    '',
  ]);
  const ports = new LearnedPorts();
  CALLIT.learn!(a, res, learnContext(ports, '10.99.0.1', 'tcp'));
  assert.deepEqual(ports.entries(), [{ proto: 'udp', addr: '10.99.0.1', port: 2049, prog: 100003, vers: 3, source: 'CALLIT' }]);
});

/** CALLIT call_args around `inner` (prog, vers, proc, opaque args). */
function callitArgs(prog: number, vers: number, proc: number, inner: Uint8Array): Uint8Array {
  return new XdrWriter().u32(prog).u32(vers).u32(proc).opaque(inner).bytes();
}

test('CALLIT of PORTMAP GETPORT: the inner mapping and port decoded by GETPORT itself', () => {
  const f = fmt();
  const body = callitArgs(100000, 2, 3, new XdrWriter().u32(100003).u32(3).u32(17).u32(0).bytes());
  const a = CALLIT.readArgs!(new XdrReader(body), ctx()) as IndirectArgs;
  assert.deepEqual(a.args, { prog: 100003, vers: 3, prot: 17, port: 0 });
  assert.equal(CALLIT.callSummary!(a, f), 'CALLIT prog=PORTMAP vers=2 proc=3 [PORTMAP C GETPORT prog=100003 (NFS) vers=3 proto=UDP]');
  assert.deepEqual(lines(CALLIT.callDetail!(a, f)).slice(4), [
    'Callit data = 16 bytes',
    '',
    '----- Portmapper -----',
    '',
    'Proc = 3 (Get port number)',
    'Program = 100003 (NFS)',
    'Version = 3',
    'Protocol = 17 (UDP)',
    '',
  ]);
  const res = CALLIT.readResult!(new XdrReader(new XdrWriter().u32(111).opaque(new XdrWriter().u32(2049).bytes()).bytes()), a, ctx()) as CallitResult;
  assert.deepEqual(res.res, { port: 2049 });
  assert.equal(CALLIT.replySummary!(res, a, f), 'CALLIT port=111 len=4 [PORTMAP R GETPORT port=2049]');
});

test('CALLIT nested in CALLIT stops at MAX_INDIRECT_DEPTH; deep nesting is bounded', () => {
  let inner = new XdrWriter().u32(100003).u32(3).u32(17).u32(0).bytes();
  inner = callitArgs(100000, 2, 3, inner); // CALLIT → GETPORT
  const level2 = callitArgs(100000, 2, 5, inner); // CALLIT → CALLIT → GETPORT
  const a = CALLIT.readArgs!(new XdrReader(callitArgs(100000, 2, 5, level2)), ctx()) as IndirectArgs;
  const l1 = a.args as IndirectArgs;
  const l2 = l1.args as IndirectArgs;
  assert.equal(a.inner, 'decoded');
  assert.equal(l1.inner, 'decoded');
  assert.equal(l2.inner, 'depth_limit');
  assert.equal(l2.args, undefined);
  assert.equal(l2.argsLength, 16);
  const f = fmt();
  // The third level is named but its arguments are not decoded.
  assert.equal(
    CALLIT.callSummary!(a, f),
    'CALLIT prog=PORTMAP vers=2 proc=5 [PORTMAP C CALLIT prog=PORTMAP vers=2 proc=5 [PORTMAP C CALLIT prog=PORTMAP vers=2 proc=3]]',
  );
  const d = lines(CALLIT.callDetail!(a, f));
  assert.deepEqual(
    d.filter((l) => l.startsWith('Callit data')),
    ['Callit data = 48 bytes', 'Callit data = 32 bytes', 'Callit data = 16 bytes (not decoded: nested too deep)'],
  );
  assert.equal(d.filter((l) => l === '----- Portmapper -----').length, 2);

  // 1000 levels: read once each, decoded two deep, no recursion beyond that.
  let deep: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < 1000; i++) deep = callitArgs(100000, 2, 5, deep);
  const x = CALLIT.readArgs!(new XdrReader(deep), ctx()) as IndirectArgs;
  assert.equal(((x.args as IndirectArgs).args as IndirectArgs).inner, 'depth_limit');
  assert.equal(typeof CALLIT.callSummary!(x, f), 'string');
});

test('CALLIT: an inner decode error keeps the length and flags it; a cut opaque is incomplete', () => {
  const a = CALLIT.readArgs!(new XdrReader(callitArgs(100000, 2, 3, new Uint8Array(4))), ctx()) as IndirectArgs;
  assert.equal(a.inner, 'error');
  assert.equal(a.argsLength, 4);
  assert.match(a.error!, /prot|need/);
  assert.match(lines(CALLIT.callDetail!(a, fmt()))[4], /^Callit data = 4 bytes \(not decoded: /);

  const whole = callitArgs(100000, 2, 3, new XdrWriter().u32(100003).u32(3).u32(17).u32(0).bytes());
  const cut = whole.subarray(0, whole.length - 8);
  assert.throws(() => CALLIT.readArgs!(new XdrReader(cut), ctx()), XdrError, 'not truncated: malformed');
  const partial = CALLIT.readArgs!(new XdrReader(cut), ctx(registry(), true)) as IndirectArgs;
  assert.equal(partial.incomplete, true);
  assert.equal(partial.argsLength, 16);
  assert.equal(partial.inner, 'error', 'GETPORT cannot read a mapping from 8 bytes');

  // A reply whose call was not decoded keeps the raw results.
  const res = CALLIT.readResult!(new XdrReader(new XdrWriter().u32(2049).opaque(new Uint8Array(8)).bytes()), undefined, ctx()) as CallitResult;
  assert.deepEqual(res, { port: 2049, resLength: 8, inner: 'no_call' });
  assert.equal(CALLIT.replySummary!(res, undefined, fmt()), 'CALLIT port=2049 len=8');
});

test('every PORTMAP v2 message of every fixture decodes and formats; cut at any word, only XdrError', async () => {
  const names = ['rpcbind_all_procs_any_sll2.pcap', 'rpc_veth_any_sll.pcap', 'nfs3_browse_lo.pcap', 'rpcbind_rpcinfo_lo.pcapng', 'nfs3_ipv6_lo.pcap', 'rpc_errors_lo_nsec.pcap'];
  let n = 0;
  for (const name of names) {
    for (let proc = 0; proc < PORTMAP_V2.length; proc++) {
      const def = PORTMAP_V2[proc];
      for (const { call, reply } of await exchanges(name, 2, proc)) {
        const a = decodeArgs(def, call, registry());
        assert.equal(typeof def.callSummary!(a, fmt()), 'string');
        def.callDetail!(a, fmt());
        n++;
        if (!reply) continue;
        const r = decodeResult(def, reply, a, registry());
        assert.ok(def.replySummary!(r, a, fmt()).startsWith(def.name === 'NULL' ? 'Null' : def.name));
        def.replyDetail!(r, a, fmt());
        const at = reply.msg.bodyOffset;
        for (let end = at; end < reply.record.bytes.length; end += 4) {
          try {
            def.readResult!(new XdrReader(reply.record.bytes, at, end), a, ctx(registry(), true));
          } catch (e) {
            assert.ok(e instanceof XdrError, `${name} #${reply.record.frameNo} cut at ${end}: ${String(e)}`);
          }
        }
        n++;
      }
    }
  }
  assert.ok(n > 100, `${n} messages`);
});
