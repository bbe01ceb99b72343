/**
 * `--services`: the RPC services of every server in a capture, as `rpcinfo -p` would list them (program, version,
 * protocol, port, service name), rebuilt from two kinds of evidence:
 *
 * - announced: PORTMAP v2 and RPCBIND v3/v4 replies seen in the capture, each noted with the procedure, version and
 *   frame that taught it and the server (the rpcbind host that answered) it came from:
 *   - SET (TRUE result) adds the mapping; UNSET (TRUE result) removes the announcements of that program and version
 *     (PORTMAP: for tcp and udp, RFC 1833 §3.2 "the protocol and port number fields of the argument are ignored";
 *     RPCBIND: for its r_netid, or every netid when r_netid is empty) and forgets what was observed of them before;
 *   - DUMP lists every registration: a complete DUMP reply replaces the server's earlier announcements (a PORTMAP v2
 *     DUMP those of netids tcp and udp, the only ones it lists; an RPCBIND DUMP those of every netid), then adds its
 *     entries;
 *   - GETPORT (a port, or 0: not registered), GETADDR/GETVERSADDR (a universal address, or "": not registered; the
 *     netid is the request's transport, RFC 1833 §2.2.1), GETADDRLIST (every address of prog/vers), and
 *     CALLIT/BCAST/INDIRECT replies (the called program's port: UDP for PORTMAP CALLIT, RFC 1833 §3.2; the request's
 *     transport for RPCBIND) add the mapping; a "not registered" answer removes the announcement of that program,
 *     version and netid;
 * - observed: a call to program P version V on server S port N over transport T, answered with MSG_ACCEPTED and an
 *   accept_stat other than PROG_UNAVAIL or PROG_MISMATCH (SUCCESS, PROC_UNAVAIL, GARBAGE_ARGS and SYSTEM_ERR all show
 *   that S serves P version V on that port); duplicate replies are not counted again. A PROG_UNAVAIL (PROG_MISMATCH)
 *   reply from a port drops the GETPORT/GETADDR announcements of that program (version) there, which are not exact
 *   (below). MSG_DENIED replies show nothing either way.
 *
 * GETPORT and GETADDR are not exact: rpcbind answers them with another version's address when the version asked for
 * is not registered (rpcbind's find_service; rpcinfo's version probing asks for versions 0, 2, 4 ...). Such an
 * answer — the port of another version of the program already announced on that netid, this version not — adds no
 * row. GETVERSADDR and GETADDRLIST are exact.
 *
 * Rows are keyed by server, program, version, protocol (tcp/udp) and port; the netids that announced a row are
 * kept (`tcp` and `tcp6` registrations on one port are one row, as `rpcinfo -p` shows one). A universal address
 * 0.0.0.0 or :: (any address) belongs to the server that answered; a specific address is kept in `address` when it
 * is not the server's own. Netids without a port (`local`, ...) are left out. Service names are /etc/rpc's (the
 * netbase list, or the caller's `serviceNames`), as `rpcinfo -p` prints them.
 *
 * Pure and bounded (`maxRows`); fed every RpcEvent in output order, then `finish()`.
 */
import { programName as tableProgramName } from '../rpc/program-names';
import type { RpcEvent } from '../rpc/rpc-event';
import { parsedAddr, type Mapping, type ParsedAddr, type Rpcb, type RpcbEntry, type RpcbMap, type UaddrResult, type XdrList } from '../programs/portmap-xdr';
import { isIndirectArgs } from '../programs/indirect-call';
import { isWildcardAddress, netidTransport, protTransport } from '../programs/universal-address';

export type Proto = 'tcp' | 'udp';

/** One announcement of a row: which procedure said so, when, for which netid. */
export interface Announcement {
  /** PORTMAP/RPCBIND procedure name: SET, DUMP, GETPORT, GETADDR, GETVERSADDR, GETADDRLIST, CALLIT, BCAST, INDIRECT. */
  procedure: string;
  /** PORTMAP/RPCBIND version of the reply (2, 3 or 4). */
  version: number;
  /** The netid announced (PORTMAP: `tcp`/`udp` from the protocol number). */
  netid: string;
  /** Frame of the reply that taught it. */
  frame: number;
  /** False for GETPORT and GETADDR: rpcbind answers them with another version's port when the version asked for is
   *  not registered (rpcbind's find_service), so they name the program's port but not surely this version. */
  exact: boolean;
}

export interface ServiceRow {
  program: number;
  version: number;
  proto: Proto;
  port: number;
  /** /etc/rpc name (`rpcinfo -p`'s service column), or '' when the program has none. */
  service: string;
  /** rpcsnoop's program name ("NFS", "MOUNT"), or null. */
  name: string | null;
  /** The service's own address when announced with one that is not the server's (a uaddr not 0.0.0.0/::). */
  address: string | null;
  announced: boolean;
  /** Current announcements (the latest of each netid, procedure and version), latest first. */
  announcedBy: Announcement[];
  observed: boolean;
  /** Calls seen answered (per the rule above) on this port, and the first and last of their reply frames. */
  observedCalls: number;
  firstObservedFrame: number | null;
  lastObservedFrame: number | null;
  /** 'announced', 'observed' or 'both'. */
  seen: 'announced' | 'observed' | 'both';
}

/** PORTMAP/RPCBIND replies of one procedure and version from a server that taught (or withdrew) announcements. */
export interface ServiceSource {
  procedure: string;
  version: number;
  replies: number;
  firstFrame: number;
  lastFrame: number;
}

export interface ServerServices {
  address: string;
  /** The PORTMAP/RPCBIND replies this server's announcements came from, in the order first seen. */
  sources: ServiceSource[];
  services: ServiceRow[];
}

export interface ServicesReport {
  servers: ServerServices[];
  notes: string[];
}

export interface ServicesOptions {
  /** Distinct rows kept; more are counted in a note. */
  maxRows: number;
  /** Program number → service name; default the netbase /etc/rpc list (ETC_RPC_NAMES). */
  serviceNames?: ReadonlyMap<number, string>;
}

export const DEFAULT_SERVICES: ServicesOptions = { maxRows: 65_536 };

const PMAP_PROG = 100000;
const MAX_SOURCES = 64;

/** The first name of each program in Debian's netbase /etc/rpc (what `rpcinfo -p` prints on Debian). */
export const ETC_RPC_NAMES: ReadonlyMap<number, string> = new Map([
  [100000, 'portmapper'],
  [100001, 'rstatd'],
  [100002, 'rusersd'],
  [100003, 'nfs'],
  [100004, 'ypserv'],
  [100005, 'mountd'],
  [100007, 'ypbind'],
  [100008, 'walld'],
  [100009, 'yppasswdd'],
  [100010, 'etherstatd'],
  [100011, 'rquotad'],
  [100012, 'sprayd'],
  [100013, '3270_mapper'],
  [100014, 'rje_mapper'],
  [100015, 'selection_svc'],
  [100016, 'database_svc'],
  [100017, 'rexd'],
  [100018, 'alis'],
  [100019, 'sched'],
  [100020, 'llockmgr'],
  [100021, 'nlockmgr'],
  [100022, 'x25.inr'],
  [100023, 'statmon'],
  [100024, 'status'],
  [100026, 'bootparam'],
  [100028, 'ypupdated'],
  [100029, 'keyserv'],
  [100037, 'tfsd'],
  [100038, 'nsed'],
  [100039, 'nsemntd'],
  [100069, 'ypxfrd'],
  [100227, 'nfs_acl'],
  [150001, 'pcnfsd'],
  [300019, 'amd'],
  [391002, 'sgi_fam'],
  [545580417, 'ugidd'],
  [600100069, 'fypxfrd'],
  [788585389, 'bwnfsd'],
]);

/** The first name of each program of an /etc/rpc text (`name number aliases...`, `#` comments). */
export function parseEtcRpc(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, num] = line.split(/\s+/);
    const n = Number(num);
    if (name && /^[0-9]+$/.test(num ?? '') && !out.has(n)) out.set(n, name);
  }
  return out;
}

interface Row {
  server: string;
  program: number;
  version: number;
  proto: Proto;
  port: number;
  address: string | null;
  /** Current announcements, the latest of each netid, procedure and version (annKey). */
  announced: Map<string, Announcement>;
  observedCalls: number;
  firstObservedFrame: number | null;
  lastObservedFrame: number | null;
}

function annKey(a: Announcement): string {
  return `${a.netid} ${a.procedure} ${a.version}`;
}

/** Deletes a row's announcements that `drop` selects. */
function dropAnnouncements(row: Row, drop: (a: Announcement) => boolean): void {
  for (const [k, a] of [...row.announced]) if (drop(a)) row.announced.delete(k);
}

function rowKey(server: string, prog: number, vers: number, proto: Proto, port: number): string {
  return `${server}|${prog}|${vers}|${proto}|${port}`;
}

/** PORTMAP v2 names a protocol number; its announcements use the netid of that protocol. */
function protNetid(prot: number): string | null {
  return protTransport(prot);
}

export class ServicesAnalyzer {
  private readonly opts: ServicesOptions;
  private readonly rows = new Map<string, Row>();
  private readonly sources = new Map<string, Map<string, ServiceSource>>();
  private droppedRows = 0;
  private incompleteDumps = 0;

  constructor(opts: Partial<ServicesOptions> = {}) {
    this.opts = { ...DEFAULT_SERVICES, ...opts };
  }

  add(ev: RpcEvent): void {
    if (ev.msg.type !== 'reply' || !ev.tx) return;
    const m = ev.msg;
    if (m.replyStat !== 0) return;
    if (m.acceptStat === 1 || m.acceptStat === 2) this.refused(ev, m.acceptStat === 1);
    else this.observe(ev);
    if (m.acceptStat === 0 && ev.prog === PMAP_PROG && ev.result !== undefined) this.announce(ev);
  }

  finish(): ServicesReport {
    const names = this.opts.serviceNames ?? ETC_RPC_NAMES;
    const byServer = new Map<string, ServiceRow[]>();
    for (const r of this.rows.values()) {
      const announcedBy = [...r.announced.values()].sort((a, b) => b.frame - a.frame);
      const announced = announcedBy.length > 0;
      const observed = r.observedCalls > 0;
      if (!announced && !observed) continue;
      const row: ServiceRow = {
        program: r.program,
        version: r.version,
        proto: r.proto,
        port: r.port,
        service: names.get(r.program) ?? '',
        name: tableProgramName(r.program),
        address: r.address,
        announced,
        announcedBy,
        observed,
        observedCalls: r.observedCalls,
        firstObservedFrame: r.firstObservedFrame,
        lastObservedFrame: r.lastObservedFrame,
        seen: announced && observed ? 'both' : announced ? 'announced' : 'observed',
      };
      const list = byServer.get(r.server) ?? [];
      list.push(row);
      byServer.set(r.server, list);
    }
    const servers: ServerServices[] = [...new Set([...byServer.keys(), ...this.sources.keys()])].sort(compareAddresses).map((address) => ({
      address,
      sources: [...(this.sources.get(address)?.values() ?? [])].map((x) => ({ ...x })),
      services: (byServer.get(address) ?? []).sort(
        (a, b) => a.program - b.program || a.version - b.version || (a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0) || a.port - b.port,
      ),
    }));
    const notes: string[] = [];
    if (this.droppedRows) notes.push(`more than ${this.opts.maxRows} services: ${this.droppedRows} announcements or observations left out`);
    if (this.incompleteDumps) notes.push(`${this.incompleteDumps} DUMP replies were cut short: their lists are partial and replaced nothing`);
    return { servers, notes };
  }

  // ------------------------------------------------------------------------------------------ observed

  private observe(ev: RpcEvent): void {
    const tx = ev.tx;
    if (!tx || ev.flags.includes('duplicate_reply')) return;
    const rec = ev.record;
    const row = this.row(rec.src, tx.prog, tx.vers, rec.transport, rec.sport, true);
    if (!row) return;
    row.observedCalls++;
    row.firstObservedFrame ??= rec.frameNo;
    row.lastObservedFrame = rec.frameNo;
  }

  /** PROG_UNAVAIL (the program) or PROG_MISMATCH (this version) from the port itself: GETPORT/GETADDR
   *  announcements of it there were rpcbind's any-version answers, or stale. */
  private refused(ev: RpcEvent, anyVersion: boolean): void {
    const tx = ev.tx;
    if (!tx) return;
    const rec = ev.record;
    for (const row of this.rows.values()) {
      if (row.server !== rec.src || row.program !== tx.prog || row.proto !== rec.transport || row.port !== rec.sport) continue;
      if (!anyVersion && row.version !== tx.vers) continue;
      dropAnnouncements(row, (a) => !a.exact);
    }
  }

  // ------------------------------------------------------------------------------------------ announced

  private announce(ev: RpcEvent): void {
    const server = ev.record.src;
    const vers = ev.vers as number;
    const name = ev.procedureName ?? `proc-${ev.proc}`;
    const frame = ev.record.frameNo;
    const transport = ev.record.transport;
    // GETPORT (v2) and GETADDR (v3, v4) are procedure 3: answered for any version of the program.
    const exact = ev.proc !== 3;
    const a = (netid: string): Announcement => ({ procedure: name, version: vers, netid, frame, exact });
    const taught = (): void => this.noteSource(server, name, vers, frame);
    if (vers === 2) {
      const args = ev.args as Mapping | undefined;
      switch (ev.proc) {
        case 1: // SET
          if (args && (ev.result as { result: boolean }).result) {
            const netid = protNetid(args.prot);
            if (netid) this.set(server, args.prog, args.vers, netid, null, args.port, a(netid));
            taught();
          }
          return;
        case 2: // UNSET
          if (args && (ev.result as { result: boolean }).result) {
            this.unset(server, args.prog, args.vers, ['tcp', 'udp']);
            taught();
          }
          return;
        case 3: {
          // GETPORT
          const netid = args ? protNetid(args.prot) : null;
          if (!args || !netid) return;
          const port = (ev.result as { port: number }).port;
          if (port === 0) this.withdraw(server, args.prog, args.vers, netid);
          else this.set(server, args.prog, args.vers, netid, null, port, a(netid));
          taught();
          return;
        }
        case 4: {
          // DUMP
          const list = ev.result as XdrList<Mapping>;
          if (list.incomplete) this.incompleteDumps++;
          else this.replaceAll(server, (netid) => netid === 'tcp' || netid === 'udp');
          for (const m of list.entries) {
            const netid = protNetid(m.prot);
            if (netid && m.port !== 0) this.set(server, m.prog, m.vers, netid, null, m.port, a(netid));
          }
          taught();
          return;
        }
        case 5: {
          // CALLIT: the port of the called program, over UDP
          const inner = ev.args;
          const port = (ev.result as { port: number }).port;
          if (isIndirectArgs(inner) && port !== 0) {
            this.set(server, inner.prog, inner.vers, 'udp', null, port, a('udp'));
            taught();
          }
          return;
        }
        default:
          return;
      }
    }
    if (vers !== 3 && vers !== 4) return;
    switch (ev.proc) {
      case 1: {
        // SET
        const r = ev.args as Rpcb | undefined;
        if (r && (ev.result as { result: boolean }).result) {
          this.setUaddr(server, r.r_prog, r.r_vers, r.r_netid, parsedAddr(r.r_addr), a(r.r_netid));
          taught();
        }
        return;
      }
      case 2: {
        // UNSET
        const r = ev.args as Rpcb | undefined;
        if (r && (ev.result as { result: boolean }).result) {
          this.unset(server, r.r_prog, r.r_vers, r.r_netid === '' ? null : [r.r_netid]);
          taught();
        }
        return;
      }
      case 3:
      case 9: {
        // GETADDR, GETVERSADDR: netid of the request's transport
        const r = ev.args as Rpcb | undefined;
        if (!r) return;
        const u = ev.result as UaddrResult;
        const netid = requestNetid(r.r_netid, transport);
        if (u.uaddr === '') this.withdraw(server, r.r_prog, r.r_vers, netid);
        else this.setUaddr(server, r.r_prog, r.r_vers, netid, u, a(netid));
        taught();
        return;
      }
      case 4: {
        // DUMP
        const list = ev.result as XdrList<RpcbMap>;
        if (list.incomplete) this.incompleteDumps++;
        else this.replaceAll(server, () => true);
        for (const m of list.entries) this.setUaddr(server, m.r_prog, m.r_vers, m.r_netid, m, a(m.r_netid));
        taught();
        return;
      }
      case 5:
      case 10: {
        // CALLIT/BCAST, INDIRECT: the called program's address, on the request's transport
        const inner = ev.args;
        const res = ev.result as ParsedAddr;
        if (isIndirectArgs(inner) && res.port) {
          this.setUaddr(server, inner.prog, inner.vers, transport, res, a(transport));
          taught();
        }
        return;
      }
      case 11: {
        // GETADDRLIST
        const r = ev.args as Rpcb | undefined;
        if (!r) return;
        for (const e of (ev.result as XdrList<RpcbEntry>).entries) {
          const netid = netidTransport(e.r_nc_netid) ? e.r_nc_netid : netidTransport(e.r_nc_proto) ? e.r_nc_proto : e.r_nc_netid;
          this.setUaddr(server, r.r_prog, r.r_vers, netid, e, a(netid));
        }
        taught();
        return;
      }
      default:
        return;
    }
  }

  private noteSource(server: string, procedure: string, version: number, frame: number): void {
    let m = this.sources.get(server);
    if (!m) {
      m = new Map();
      this.sources.set(server, m);
    }
    const k = `${procedure} ${version}`;
    const src = m.get(k);
    if (src) {
      src.replies++;
      src.lastFrame = frame;
    } else if (m.size < MAX_SOURCES) {
      m.set(k, { procedure, version, replies: 1, firstFrame: frame, lastFrame: frame });
    }
  }

  /** An announcement from a parsed universal address (ignored when it names no port of a TCP/UDP netid). */
  private setUaddr(server: string, prog: number, vers: number, netid: string, addr: ParsedAddr, ann: Announcement): void {
    if (addr.address === null || !addr.port) return;
    const own = isWildcardAddress(addr.address) || addr.address === server ? null : addr.address;
    this.set(server, prog, vers, netid, own, addr.port, ann);
  }

  /** Announces prog/vers on netid at port: announcements of that netid at another port are dropped (it moved). */
  private set(server: string, prog: number, vers: number, netid: string, address: string | null, port: number, ann: Announcement): void {
    const proto = netidTransport(netid);
    if (!proto || port <= 0 || port > 65535) return;
    if (!ann.exact && this.isFallback(server, prog, vers, netid, proto, port)) return;
    for (const row of this.rows.values()) {
      if (row.server === server && row.program === prog && row.version === vers && row.proto === proto && row.port !== port) {
        dropAnnouncements(row, (a) => a.netid === netid);
      }
    }
    const row = this.row(server, prog, vers, proto, port, true);
    if (!row) return;
    row.announced.set(annKey(ann), ann);
    if (address !== null) row.address = address;
  }

  /**
   * A GETPORT/GETADDR answer that is rpcbind's any-version fallback: another version of the program is announced
   * for this netid at this port, and this version is not announced for it at all. It teaches nothing new.
   */
  private isFallback(server: string, prog: number, vers: number, netid: string, proto: Proto, port: number): boolean {
    let other = false;
    for (const row of this.rows.values()) {
      if (row.server !== server || row.program !== prog || row.proto !== proto) continue;
      if (![...row.announced.values()].some((a) => a.netid === netid)) continue;
      if (row.version === vers) return false;
      if (row.port === port) other = true;
    }
    return other;
  }

  /** Removes the announcement of netid for prog/vers (a "not registered" answer). */
  private withdraw(server: string, prog: number, vers: number, netid: string): void {
    const proto = netidTransport(netid);
    if (!proto) return;
    for (const row of this.rows.values()) {
      if (row.server === server && row.program === prog && row.version === vers && row.proto === proto) dropAnnouncements(row, (a) => a.netid === netid);
    }
  }

  /** UNSET: removes the announcements of prog/vers (for `netids`, or all when null) and what was observed of them. */
  private unset(server: string, prog: number, vers: number, netids: string[] | null): void {
    for (const [k, row] of this.rows) {
      if (row.server !== server || row.program !== prog || row.version !== vers) continue;
      const touched = netids === null || netids.some((n) => netidTransport(n) === row.proto);
      if (!touched) continue;
      if (netids === null) row.announced.clear();
      else dropAnnouncements(row, (a) => netids.includes(a.netid));
      row.observedCalls = 0;
      row.firstObservedFrame = null;
      row.lastObservedFrame = null;
      if (row.announced.size === 0) this.rows.delete(k);
    }
  }

  /** A complete DUMP: drops the server's announcements of the netids it lists (`which`). */
  private replaceAll(server: string, which: (netid: string) => boolean): void {
    for (const row of this.rows.values()) {
      if (row.server !== server) continue;
      dropAnnouncements(row, (a) => which(a.netid));
    }
  }

  private row(server: string, prog: number, vers: number, proto: Proto, port: number, create: boolean): Row | null {
    const key = rowKey(server, prog, vers, proto, port);
    let r = this.rows.get(key);
    if (r || !create) return r ?? null;
    if (this.rows.size >= this.opts.maxRows) {
      this.compact();
      if (this.rows.size >= this.opts.maxRows) {
        this.droppedRows++;
        return null;
      }
    }
    r = { server, program: prog, version: vers, proto, port, address: null, announced: new Map(), observedCalls: 0, firstObservedFrame: null, lastObservedFrame: null };
    this.rows.set(key, r);
    return r;
  }

  /** Drops rows left with neither an announcement nor an observation. */
  private compact(): void {
    for (const [k, r] of this.rows) if (r.announced.size === 0 && r.observedCalls === 0) this.rows.delete(k);
  }
}

/** The netid GETADDR answered for: RFC 1833 §2.2.1 infers it from the request's transport; r_netid is kept when it
 *  names that transport (udp6 over UDP stays udp6). */
function requestNetid(rNetid: string, transport: Proto): string {
  return netidTransport(rNetid) === transport ? rNetid : transport;
}

/** IPv4 before IPv6, then numerically by address text. */
function compareAddresses(a: string, b: string): number {
  const v6a = a.includes(':');
  const v6b = b.includes(':');
  if (v6a !== v6b) return v6a ? 1 : -1;
  if (!v6a) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Convenience: the services of a list of events. */
export function servicesOf(events: Iterable<RpcEvent>, opts: Partial<ServicesOptions> = {}): ServicesReport {
  const a = new ServicesAnalyzer(opts);
  for (const ev of events) a.add(ev);
  return a.finish();
}
