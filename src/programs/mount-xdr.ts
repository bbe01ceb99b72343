/**
 * MOUNT protocol (program 100005) XDR types and readers, named after the RFCs:
 *  - version 1: RFC 1094 Appendix A ("Mount protocol definition") with Sun's mount.x field names
 *    (fhstatus, mountbody, groupnode, exportnode); v1 adds EXPORTALL (6) in mount.x;
 *  - version 2 (MOUNTVERS_POSIX): version 1 plus MOUNTPROC_PATHCONF (7) returning ppathcnf (Sun mount.x; not in
 *    any RFC; Wireshark's packet-mount.c decodes it the same way);
 *  - version 3: RFC 1813 Appendix I (mountstat3, fhandle3, mountres3).
 *
 * Readers are pure and read with the shared bounds-checked XdrReader. Every string has a cap (see
 * MAX_PATH_READ), every handle its size (FHSIZE/FHSIZE3), and every list a cap on its entries. Lists are
 * XDR linked lists (`*next` = a value_follows bool before each entry, RFC 4506 §4.19): a list cut by the end of
 * the data keeps what was read and is marked `incomplete` (snaplen or lost bytes); a list longer than its cap is
 * cut there and marked `incomplete` too. Lengths over a cap are malformed data, not truncation: they throw
 * XdrError('length_exceeded') and the pipeline reports the anomaly.
 */
import { XdrError, type XdrReader } from '../rpc/xdr';
import { FileHandle } from './file-handle';

/** RFC 1094 §A.3 and RFC 1813 Appendix I §5.1.4 (sizes of XDR structures). */
export const MNTPATHLEN = 1024;
export const MNTNAMLEN = 255;
/** RFC 1094 §A.4.1: `typedef opaque fhandle[FHSIZE]` (fixed 32 bytes, MOUNT v1/v2). */
export const FHSIZE = 32;
/** RFC 1813 Appendix I §5.1.5: `typedef opaque fhandle3<FHSIZE3>`. */
export const FHSIZE3 = 64;

/**
 * What we read of a path or a name. MNTPATHLEN and MNTNAMLEN bound what a server accepts, but a longer string is
 * still read and shown, as tshark does: the server answers GARBAGE_ARGS, and the path on the call explains why
 * (rpc_errors_lo_nsec.pcap has a 1100-byte MNT path). A length over these caps (0xffffffff) is malformed: it
 * throws XdrError('length_exceeded') without allocating.
 */
export const MAX_PATH_READ = 16 * MNTPATHLEN;
export const MAX_NAME_READ = 16 * MNTNAMLEN;

/** Caps of ours on lists the RFCs leave unbounded (mount lists, export lists, groups, auth flavors). */
export const MAX_MOUNT_ENTRIES = 100_000;
export const MAX_EXPORT_ENTRIES = 100_000;
export const MAX_GROUPS_PER_EXPORT = 10_000;
export const MAX_AUTH_FLAVORS = 256;

// ------------------------------------------------------------------------------------------------ types

/** Arguments of MNT, UMNT (all versions) and PATHCONF (v2): `dirpath` (RFC 1094 §A.4.3, RFC 1813
 *  Appendix I §5.1.5: string<MNTPATHLEN>). */
export interface DirpathArgs {
  dirpath: string;
}

/** RFC 1813 Appendix I §5.2.1 mountres3_ok. */
export interface MountRes3Ok {
  fhandle: FileHandle;
  /** `int auth_flavors<>`: RPC auth flavor numbers (RFC 5531 §8.2), the server's preferred first. */
  auth_flavors: number[];
  /** The flavor list was cut by the end of the data (or by MAX_AUTH_FLAVORS). */
  incomplete?: true;
}

/** RFC 1813 Appendix I §5.2.1 mountres3: union switch (mountstat3 fhs_status). */
export interface MountRes3 {
  fhs_status: number;
  /** Present when fhs_status is MNT3_OK. */
  mountinfo?: MountRes3Ok;
}

/** RFC 1094 §A.4.2 fhstatus: union switch (unsigned fhs_status) { case 0: fhandle (mount.x: fhs_fhandle) }.
 *  The status is a UNIX errno. */
export interface FhStatus {
  fhs_status: number;
  /** The fixed 32-byte handle, present when fhs_status is 0. */
  fhandle?: FileHandle;
}

/** mountbody (RFC 1094 §A.5.3, RFC 1813 Appendix I §5.2.2; names from mount.x): who has what mounted. */
export interface MountBody {
  ml_hostname: string;
  ml_directory: string;
}

/** DUMP's result: the mountlist as an array. */
export interface MountList {
  entries: MountBody[];
  /** Cut by the end of the data or by MAX_MOUNT_ENTRIES: more entries may follow. */
  incomplete?: true;
}

/** exportnode (RFC 1094 §A.5.6, RFC 1813 Appendix I §5.2.5; names from mount.x) with its groups list as an array of gr_name. */
export interface ExportNode {
  ex_dir: string;
  ex_groups: string[];
}

/** EXPORT's (and EXPORTALL's) result: the exports list as an array. */
export interface Exports {
  entries: ExportNode[];
  /** Cut by the end of the data (possibly inside the last entry's groups) or by a cap. */
  incomplete?: true;
}

/** mount.x ppathcnf (MOUNT v2 PATHCONF result). `short`, `u_char` and `char` are each one XDR int on the wire. */
export interface PPathCnf {
  pc_link_max: number;
  pc_max_canon: number;
  pc_max_input: number;
  pc_name_max: number;
  pc_path_max: number;
  pc_pipe_buf: number;
  pc_vdisable: number;
  pc_xxx: number;
  /** `short pc_mask[2]`: validity and boolean bits, bit n of the mask is pc_mask[n / 16] bit (n % 16). */
  pc_mask: [number, number];
}

/** pc_mask bit numbers (Sun's _PC_* numbering, as in mount.x users and Wireshark's PC_ERROR_* table). */
export const PC_ERROR = 0;
export const PC_LINK_MAX = 1;
export const PC_MAX_CANON = 2;
export const PC_MAX_INPUT = 3;
export const PC_NAME_MAX = 4;
export const PC_PATH_MAX = 5;
export const PC_PIPE_BUF = 6;
export const PC_CHOWN_RESTRICTED = 7;
export const PC_NO_TRUNC = 8;
export const PC_VDISABLE = 9;

/** mount.x `_PC_ISSET(n, a)`. */
export function pcIsSet(p: PPathCnf, bit: number): boolean {
  return ((p.pc_mask[bit >> 4] >>> (bit & 15)) & 1) === 1;
}

// ------------------------------------------------------------------------------------------------ readers

/** `dirpath`: string<MNTPATHLEN>, read up to MAX_PATH_READ. */
export function readDirpath(r: XdrReader): DirpathArgs {
  return { dirpath: r.string(MAX_PATH_READ, 'dirpath') };
}

/** RFC 1813 Appendix I §5.2.1 mountres3 (MOUNTPROC3_MNT result). */
export function readMountres3(r: XdrReader): MountRes3 {
  const fhs_status = r.u32('fhs_status');
  if (fhs_status !== 0) return { fhs_status };
  const fhandle = new FileHandle(r.opaque(FHSIZE3, 'fhandle3'));
  // int auth_flavors<>: a counted array. A count over the cap is malformed; a list cut by the data is kept.
  const n = r.length(MAX_AUTH_FLAVORS, 'auth_flavors');
  const auth_flavors: number[] = [];
  const mountinfo: MountRes3Ok = { fhandle, auth_flavors };
  for (let i = 0; i < n; i++) {
    if (r.remaining < 4) {
      mountinfo.incomplete = true;
      break;
    }
    auth_flavors.push(r.u32('auth_flavor'));
  }
  return { fhs_status, mountinfo };
}

/** RFC 1094 §A.5.2 / §A.4.2 fhstatus (MOUNTPROC_MNT result, v1 and v2). */
export function readFhstatus(r: XdrReader): FhStatus {
  const fhs_status = r.u32('fhs_status');
  if (fhs_status !== 0) return { fhs_status };
  return { fhs_status, fhandle: new FileHandle(r.fixed(FHSIZE, 'fhandle')) };
}

/** True when `e` is a read past the end of the data (as opposed to a malformed length). */
function isShort(e: unknown): boolean {
  return e instanceof XdrError && e.kind === 'short';
}

/** mountlist (DUMP result, RFC 1094 §A.5.3, RFC 1813 Appendix I §5.2.2): `mountbody *` linked list. */
export function readMountlist(r: XdrReader): MountList {
  const entries: MountBody[] = [];
  try {
    while (r.bool('mountlist value_follows')) {
      if (entries.length >= MAX_MOUNT_ENTRIES) return { entries, incomplete: true };
      const ml_hostname = r.string(MAX_NAME_READ, 'ml_hostname');
      const ml_directory = r.string(MAX_PATH_READ, 'ml_directory');
      entries.push({ ml_hostname, ml_directory });
    }
  } catch (e) {
    if (isShort(e)) return { entries, incomplete: true };
    throw e;
  }
  return { entries };
}

/** exports (EXPORT/EXPORTALL result, RFC 1094 §A.5.6, RFC 1813 Appendix I §5.2.5): `exportnode *` linked list, each with a `groupnode *` linked list. An entry
 *  whose directory was read but whose groups were cut is kept with the groups read so far. */
export function readExports(r: XdrReader): Exports {
  const entries: ExportNode[] = [];
  try {
    while (r.bool('exports value_follows')) {
      if (entries.length >= MAX_EXPORT_ENTRIES) return { entries, incomplete: true };
      const node: ExportNode = { ex_dir: r.string(MAX_PATH_READ, 'ex_dir'), ex_groups: [] };
      entries.push(node);
      while (r.bool('groups value_follows')) {
        if (node.ex_groups.length >= MAX_GROUPS_PER_EXPORT) return { entries, incomplete: true };
        node.ex_groups.push(r.string(MAX_NAME_READ, 'gr_name'));
      }
    }
  } catch (e) {
    if (isShort(e)) return { entries, incomplete: true };
    throw e;
  }
  return { entries };
}

/** mount.x ppathcnf (MOUNT v2 PATHCONF result): 10 XDR words. */
export function readPpathcnf(r: XdrReader): PPathCnf {
  return {
    pc_link_max: r.i32('pc_link_max'),
    pc_max_canon: r.i32('pc_max_canon'),
    pc_max_input: r.i32('pc_max_input'),
    pc_name_max: r.i32('pc_name_max'),
    pc_path_max: r.i32('pc_path_max'),
    pc_pipe_buf: r.i32('pc_pipe_buf'),
    pc_vdisable: r.u32('pc_vdisable'),
    pc_xxx: r.i32('pc_xxx'),
    pc_mask: [r.u32('pc_mask[0]'), r.u32('pc_mask[1]')],
  };
}
