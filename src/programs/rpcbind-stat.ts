/**
 * RPCBIND v4 GETSTAT (RFC 1833 §2.2.2 RPCBPROC_GETSTAT → rpcb_stat_byvers, §2.1): the binder's counters for each of
 * the versions it serves (index 0/1/2 = PORTMAP v2, RPCBIND v3, v4). snoop does not decode it (`RPCBIND R GETSTAT `);
 * we do, laid out like `rpcinfo -m`: calls per procedure, successful SET/UNSET, address lookups and remote calls.
 */
import { line, type DetailNode } from '../format/detail';
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

function versionBlock(s: RpcbStat, f: FormatContext): DetailNode {
  const children: DetailNode[] = [
    { text: `   ${procCounts(s)}` },
    { text: `   Successful SET = ${s.setinfo}, successful UNSET = ${s.unsetinfo}` },
  ];
  const lookup = s.vers === 2 ? 'GETPORT' : 'GETADDR';
  const addrRows = s.addrinfo.map((a) =>
    line(`    ${padLeft(a.prog, 8)}${padLeft(a.vers, 5)} ${padRight(printable(a.netid), 12)} ${padLeft(a.success, 7)} ${padLeft(a.failure, 7)} (${f.programName(a.prog)})`),
  );
  children.push(
    line(`   Address lookups (${lookup}): ${s.addrinfo.length}`, addrRows.length ? [line('     Program Vers Netid        Success Failure'), ...addrRows] : []),
  );
  const rmt = s.vers === 4 ? 'BCAST/INDIRECT' : 'CALLIT';
  const rmtRows = s.rmtinfo.map((c) =>
    line(
      `    ${padLeft(c.prog, 8)}${padLeft(c.vers, 5)}${padLeft(c.proc, 6)} ${padRight(printable(c.netid), 12)} ` +
        `${padLeft(c.success, 7)} ${padLeft(c.failure, 7)} ${padLeft(c.indirect, 8)} (${f.programName(c.prog)})`,
    ),
  );
  children.push(
    line(`   Remote calls (${rmt}): ${s.rmtinfo.length}`, rmtRows.length ? [line('     Program Vers  Proc Netid        Success Failure Indirect'), ...rmtRows] : []),
  );
  const title = s.vers === 2 ? 'PORTMAP (version 2) statistics' : `RPCBIND (version ${s.vers}) statistics`;
  return line(title, children);
}

/** The `-v` lines of a GETSTAT reply after `Proc = 12 (Get statistics)`. */
export function statDetail(st: RpcbStatByVers, f: FormatContext): DetailNode[] {
  const out = st.stats.map((s) => versionBlock(s, f));
  if (st.incomplete) out.push({ text: ' (Frame is incomplete)' });
  return out;
}
