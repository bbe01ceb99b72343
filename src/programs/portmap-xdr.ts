/**
 * XDR readers for the PORTMAP v2 and RPCBIND v3/v4 types (RFC 1833 §3.1 and §2.1), named after the RFC types and
 * returning objects with the RFC field names. Every string and list is capped; lists (the RFC's linked lists of
 * optional-data, e.g. `pmaplist`, `rpcblist_ptr`) keep the entries read so far when the data ends early (snaplen) or
 * an entry is malformed, and say so with `incomplete: true` (snoop's `N+ map(s) found`).
 */
import { XdrError, type XdrReader } from '../rpc/xdr';
import { decodeSockaddr, parseUniversalAddress } from './universal-address';

/** Caps. RFC 1833 leaves these strings unbounded (`string r_netid<>`); real ones are short. */
export const MAX_NETID = 255;
/** Universal addresses: IPv6 forms are under 50 bytes, `local` paths under 108. */
export const MAX_UADDR = 1024;
export const MAX_OWNER = 1024;
/** netbuf.buf (a struct sockaddr: 128 bytes is sockaddr_storage). */
export const MAX_NETBUF = 1024;
/** Entries read from one DUMP / GETADDRLIST / GETSTAT list. */
export const MAX_LIST_ENTRIES = 65_536;
/** Indirect call arguments and results (CALLIT/BCAST/INDIRECT): the largest TCP record rpcsnoop keeps. */
export const MAX_INDIRECT_OPAQUE = 1 << 24;

/** A list read from XDR optional-data links; `incomplete` when it was cut (data ended, entry malformed, cap). */
export interface XdrList<T> {
  entries: T[];
  incomplete: boolean;
}

/**
 * Reads an XDR linked list (`struct x { T item; x *next; }`, RFC 4506 §4.19 optional-data): a "value follows" bool,
 * then an entry, until a FALSE. An XdrError inside the loop ends the list with the entries read so far.
 */
export function readLinkedList<T>(r: XdrReader, readEntry: (r: XdrReader) => T, what: string): XdrList<T> {
  const entries: T[] = [];
  try {
    while (r.bool(`${what} follows`)) {
      if (entries.length >= MAX_LIST_ENTRIES) return { entries, incomplete: true };
      entries.push(readEntry(r));
    }
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    return { entries, incomplete: true };
  }
  return { entries, incomplete: false };
}

// ------------------------------------------------------------------------------------------ PORTMAP v2 (§3.1)

/** RFC 1833 §3.1 `struct mapping`. */
export interface Mapping {
  prog: number;
  vers: number;
  /** IPPROTO_TCP (6) or IPPROTO_UDP (17). */
  prot: number;
  port: number;
}

export function readMapping(r: XdrReader): Mapping {
  return { prog: r.u32('prog'), vers: r.u32('vers'), prot: r.u32('prot'), port: r.u32('port') };
}

/** RFC 1833 §3.1 `pmaplist` (PMAPPROC_DUMP's result), as an array. */
export function readPmaplist(r: XdrReader): XdrList<Mapping> {
  return readLinkedList(r, readMapping, 'pmaplist');
}

// ------------------------------------------------------------------------------------------ RPCBIND v3/v4 (§2.1)

/** RFC 1833 §2.1 `struct rpcb`. */
export interface Rpcb {
  r_prog: number;
  r_vers: number;
  r_netid: string;
  /** Universal address (RFC 5665 §5.2.3). */
  r_addr: string;
  r_owner: string;
}

export function readRpcb(r: XdrReader): Rpcb {
  return {
    r_prog: r.u32('r_prog'),
    r_vers: r.u32('r_vers'),
    r_netid: r.string(MAX_NETID, 'r_netid'),
    r_addr: r.string(MAX_UADDR, 'r_addr'),
    r_owner: r.string(MAX_OWNER, 'r_owner'),
  };
}

/** The address and port of a universal address; both null when it is empty ("not registered") or not IP. */
export interface ParsedAddr {
  address: string | null;
  port: number | null;
}

export function parsedAddr(uaddr: string): ParsedAddr {
  const u = parseUniversalAddress(uaddr);
  return u ? { address: u.address, port: u.port } : { address: null, port: null };
}

/** A universal address as a result (GETADDR, GETVERSADDR, TADDR2UADDR: RFC 1833 §2.1 `string`). */
export interface UaddrResult extends ParsedAddr {
  uaddr: string;
}

export function readUaddrResult(r: XdrReader): UaddrResult {
  const uaddr = r.string(MAX_UADDR, 'uaddr');
  return { uaddr, ...parsedAddr(uaddr) };
}

/** An rpcb of a DUMP list, with its r_addr decoded. */
export type RpcbMap = Rpcb & ParsedAddr;

/** RFC 1833 §2.1 `rpcblist_ptr` (RPCBPROC_DUMP's result). */
export function readRpcblist(r: XdrReader): XdrList<RpcbMap> {
  return readLinkedList(
    r,
    (x) => {
      const m = readRpcb(x);
      return { ...m, ...parsedAddr(m.r_addr) };
    },
    'rpcblist',
  );
}

/** RFC 1833 §2.1 `struct rpcb_entry` (one address of a service, with its netconfig), r_maddr decoded. */
export interface RpcbEntry extends ParsedAddr {
  r_maddr: string;
  r_nc_netid: string;
  /** NC_TPI_CLTS 1, NC_TPI_COTS 2, NC_TPI_COTS_ORD 3, NC_TPI_RAW 4. */
  r_nc_semantics: number;
  r_nc_protofmly: string;
  r_nc_proto: string;
}

/** RFC 1833 §2.1 `rpcb_entry_list_ptr` (RPCBPROC_GETADDRLIST's result). */
export function readRpcbEntryList(r: XdrReader): XdrList<RpcbEntry> {
  return readLinkedList(
    r,
    (x) => {
      const r_maddr = x.string(MAX_UADDR, 'r_maddr');
      const r_nc_netid = x.string(MAX_NETID, 'r_nc_netid');
      const r_nc_semantics = x.u32('r_nc_semantics');
      const r_nc_protofmly = x.string(MAX_NETID, 'r_nc_protofmly');
      const r_nc_proto = x.string(MAX_NETID, 'r_nc_proto');
      return { r_maddr, r_nc_netid, r_nc_semantics, r_nc_protofmly, r_nc_proto, ...parsedAddr(r_maddr) };
    },
    'rpcb_entry_list',
  );
}

/** RFC 1833 §2.1 `struct netbuf` (a transport address: UADDR2TADDR's result, TADDR2UADDR's argument). */
export interface Netbuf {
  maxlen: number;
  /** The transport address bytes (a view). */
  buf: Uint8Array;
  /** buf read as a struct sockaddr_in/in6, when it looks like one (best effort: the layout is the host's). */
  address: string | null;
  port: number | null;
}

export function readNetbuf(r: XdrReader): Netbuf {
  const maxlen = r.u32('maxlen');
  const buf = r.opaque(MAX_NETBUF, 'netbuf.buf');
  const sa = decodeSockaddr(buf);
  return { maxlen, buf, address: sa ? sa.address : null, port: sa ? sa.port : null };
}

// ------------------------------------------------------------------------------------------ RPCBIND v4 GETSTAT

/** RFC 1833 §2.1: RPCBSTAT_HIGHPROC (procedures of rpcbind v4, plus one) and RPCBVERS_STAT (v2, v3, v4). */
export const RPCBSTAT_HIGHPROC = 13;
export const RPCBVERS_STAT = 3;

/** RFC 1833 §2.1 `struct rpcbs_addrlist`: GETPORT/GETADDR lookups of one prog/vers/netid. */
export interface RpcbsAddr {
  prog: number;
  vers: number;
  success: number;
  failure: number;
  netid: string;
}

/** RFC 1833 §2.1 `struct rpcbs_rmtcalllist`: CALLIT/BCAST/INDIRECT calls of one prog/vers/proc/netid. */
export interface RpcbsRmtcall {
  prog: number;
  vers: number;
  proc: number;
  success: number;
  failure: number;
  /** Whether callit or indirect (RFC 1833's own comment). */
  indirect: number;
  netid: string;
}

/** RFC 1833 §2.1 `struct rpcb_stat`, with the version it describes (rpcb_stat_byvers index 0/1/2 = v2/v3/v4). */
export interface RpcbStat {
  vers: number;
  /** rpcbs_proc: calls per procedure number. */
  info: number[];
  /** Successful SET and UNSET calls. */
  setinfo: number;
  unsetinfo: number;
  addrinfo: RpcbsAddr[];
  rmtinfo: RpcbsRmtcall[];
}

/** RFC 1833 §2.1 `rpcb_stat_byvers` (RPCBPROC_GETSTAT's result). */
export interface RpcbStatByVers {
  stats: RpcbStat[];
  /** The data ended (or was malformed) before the three rpcb_stat were complete: `stats` holds what was read. */
  incomplete: boolean;
}

function readAddrinfo(r: XdrReader): RpcbsAddr {
  return {
    prog: r.u32('prog'),
    vers: r.u32('vers'),
    success: r.i32('success'),
    failure: r.i32('failure'),
    netid: r.string(MAX_NETID, 'netid'),
  };
}

function readRmtinfo(r: XdrReader): RpcbsRmtcall {
  return {
    prog: r.u32('prog'),
    vers: r.u32('vers'),
    proc: r.u32('proc'),
    success: r.i32('success'),
    failure: r.i32('failure'),
    indirect: r.i32('indirect'),
    netid: r.string(MAX_NETID, 'netid'),
  };
}

export function readRpcbStatByVers(r: XdrReader): RpcbStatByVers {
  const stats: RpcbStat[] = [];
  try {
    for (let i = 0; i < RPCBVERS_STAT; i++) {
      const s: RpcbStat = { vers: i + 2, info: [], setinfo: 0, unsetinfo: 0, addrinfo: [], rmtinfo: [] };
      stats.push(s);
      for (let p = 0; p < RPCBSTAT_HIGHPROC; p++) s.info.push(r.i32('rpcbs_proc'));
      s.setinfo = r.i32('setinfo');
      s.unsetinfo = r.i32('unsetinfo');
      const addr = readLinkedList(r, readAddrinfo, 'rpcbs_addrlist');
      s.addrinfo = addr.entries;
      if (addr.incomplete) return { stats, incomplete: true };
      const rmt = readLinkedList(r, readRmtinfo, 'rpcbs_rmtcalllist');
      s.rmtinfo = rmt.entries;
      if (rmt.incomplete) return { stats, incomplete: true };
    }
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    return { stats, incomplete: true };
  }
  return { stats, incomplete: false };
}
