/**
 * RPCBIND v4 GETSTAT (RFC 1833 §2.2.2 RPCBPROC_GETSTAT → rpcb_stat_byvers, §2.1): the binder's counters for each of
 * the versions it serves (index 0/1/2 = PORTMAP v2, RPCBIND v3, v4). snoop does not decode it (`RPCBIND R GETSTAT `);
 * we do, laid out like `rpcinfo -m`: calls per procedure, successful SET/UNSET, address lookups and remote calls.
 */
import { field, type DetailNode } from '../format/detail';
import type { XdrSpans } from '../format/xdr-spans';
import type { FormatContext } from '../rpc/registry';
import { padLeft, padRight, printable } from './portmap-format';
import type { RpcbStat, RpcbStatByVers } from './portmap-xdr';

/** Procedure names per version, for rpcbs_proc (RFC 1833 §3.1 PMAP_PROG, §2.1 RPCBPROG). */
const PROC_NAMES: Readonly<Record<number, readonly string[]>> = {
  2: ['NULL', 'SET', 'UNSET', 'GETPORT', 'DUMP', 'CALLIT'],
  3: ['NULL', 'SET', 'UNSET', 'GETADDR', 'DUMP', 'CALLIT', 'GETTIME', 'UADDR2TADDR', 'TADDR2UADDR'],
  4: ['NULL', 'SET', 'UNSET', 'GETADDR', 'DUMP', 'BCAST', 'GETTIME', 'UADDR2TADDR', 'TADDR2UADDR', 'GETVERSADDR', 'INDIRECT', 'GETADDRLIST', 'GETSTAT'],
};

function totalCalls(s: RpcbStat): number {
  return s.info.reduce((a, b) => a + b, 0);
}

/** Our GETSTAT reply summary: `502 calls (v2 278, v3 104, v4 120)`, plus ` (incomplete)` when cut. */
export function statSummary(st: RpcbStatByVers): string {
  const total = st.stats.reduce((a, s) => a + totalCalls(s), 0);
  const per = st.stats.map((s) => `v${s.vers} ${totalCalls(s)}`).join(', ');
  return `${total}${st.incomplete ? '+' : ''} calls${per ? ` (${per})` : ''}${st.incomplete ? ' (incomplete)' : ''}`;
}

function procCounts(s: RpcbStat): string {
  const names = PROC_NAMES[s.vers] ?? [];
  const parts: string[] = [];
  s.info.forEach((n, i) => {
    if (i < names.length) parts.push(`${names[i]} = ${n}`);
    else if (n !== 0) parts.push(`proc ${i} = ${n}`);
  });
  return parts.join(', ');
}

/** The rows of an rpcbs_addrlist or rpcbs_rmtcalllist: each entry after its value_follows, `words` integers then
 *  the netid string; the list's range runs to its closing FALSE. */
function listRows<T>(list: readonly T[], c: XdrSpans, words: number, text: (x: T) => string): { rows: DetailNode[]; start: number } {
  const start = c.pos;
  const rows = list.map((x) => {
    c.word();
    const from = c.pos;
    c.words(words);
    c.opaque();
    return field(text(x), c.since(from));
  });
  c.word();
  return { rows, start };
}

/** One rpcb_stat (RFC 1833 §2.1: rpcbs_proc info (RPCBSTAT_HIGHPROC ints), setinfo, unsetinfo, addrinfo,
 *  rmtinfo) under its title, which covers it. */
function versionBlock(s: RpcbStat, f: FormatContext, c: XdrSpans): DetailNode {
  const start = c.pos;
  const children: DetailNode[] = [
    field(`   ${procCounts(s)}`, c.words(s.info.length)),
    field(`   Successful SET = ${s.setinfo}, successful UNSET = ${s.unsetinfo}`, c.words(2)),
  ];
  const lookup = s.vers === 2 ? 'GETPORT' : 'GETADDR';
  const addr = listRows(s.addrinfo, c, 4, (a) =>
    `    ${padLeft(a.prog, 8)}${padLeft(a.vers, 5)} ${padRight(printable(a.netid), 12)} ${padLeft(a.success, 7)} ${padLeft(a.failure, 7)} (${f.programName(a.prog)})`,
  );
  const addrAll = c.since(addr.start);
  children.push(
    field(
      `   Address lookups (${lookup}): ${s.addrinfo.length}`,
      addrAll,
      addr.rows.length ? [field('     Program Vers Netid        Success Failure', addrAll), ...addr.rows] : [],
    ),
  );
  const rmt = s.vers === 4 ? 'BCAST/INDIRECT' : 'CALLIT';
  const calls = listRows(
    s.rmtinfo,
    c,
    6,
    (r) =>
      `    ${padLeft(r.prog, 8)}${padLeft(r.vers, 5)}${padLeft(r.proc, 6)} ${padRight(printable(r.netid), 12)} ` +
      `${padLeft(r.success, 7)} ${padLeft(r.failure, 7)} ${padLeft(r.indirect, 8)} (${f.programName(r.prog)})`,
  );
  const callsAll = c.since(calls.start);
  children.push(
    field(
      `   Remote calls (${rmt}): ${s.rmtinfo.length}`,
      callsAll,
      calls.rows.length ? [field('     Program Vers  Proc Netid        Success Failure Indirect', callsAll), ...calls.rows] : [],
    ),
  );
  const title = s.vers === 2 ? 'PORTMAP (version 2) statistics' : `RPCBIND (version ${s.vers}) statistics`;
  return field(title, c.since(start), children);
}

/** The `-v` lines of a GETSTAT reply after `Proc = 12 (Get statistics)`; `c` walks rpcb_stat_byvers. */
export function statDetail(st: RpcbStatByVers, f: FormatContext, c: XdrSpans): DetailNode[] {
  const out = st.stats.map((s) => versionBlock(s, f, c));
  if (st.incomplete) out.push({ text: ' (Frame is incomplete)' });
  return out;
}
