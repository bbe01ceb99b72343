/**
 * Random valid ONC RPC exchanges for property tests: a call and its reply for PORTMAP v2 (RFC 1833 §3), RPCBIND v3/v4
 * (RFC 1833 §2), MOUNT v1/v3 (RFC 1094 Appendix A, RFC 1813 Appendix I) and NFSv3 (RFC 1813 §3.3), with random RPC
 * headers (RFC 5531 §8-9: AUTH_NONE, AUTH_SYS, AUTH_SHORT credentials and verifiers; accepted replies of every
 * accept_stat, denied replies). Arguments and results are written field by field with XdrWriter from the RFCs'
 * XDR, independently of the decoders under test.
 */
import { buildAcceptedReply, buildCall, buildDeniedReply, XdrWriter, type Auth } from './rpc-builders';
import type { Gen } from './seeded-gen';

type Enc = (g: Gen, w: XdrWriter) => void;

// ------------------------------------------------------------------------------------------------ XDR pieces

const u32: Enc = (g, w) => void w.u32(g.pick([0, 1, 2, 7, 512, 4096, 65535, g.u32()]));
const u64: Enc = (g, w) => void w.u64(g.pick([0n, 1n, 4096n, 1n << 32n, g.u64()]));
const bool: Enc = (g, w) => void w.u32(g.int(0, 1));
const optional =
  (e: Enc): Enc =>
  (g, w) => {
    const present = g.chance(0.7);
    w.u32(present ? 1 : 0);
    if (present) e(g, w);
  };
/** An XDR linked list (`*next` pointers, RFC 4506 §4.19): value-follows, entry, …, FALSE. */
const list =
  (e: Enc, max = 6): Enc =>
  (g, w) => {
    const n = g.int(0, max);
    for (let i = 0; i < n; i++) {
      w.u32(1);
      e(g, w);
    }
    w.u32(0);
  };
const array =
  (e: Enc, max = 6): Enc =>
  (g, w) => {
    const n = g.int(0, max);
    w.u32(n);
    for (let i = 0; i < n; i++) e(g, w);
  };
const seq =
  (...es: Enc[]): Enc =>
  (g, w) => {
    for (const e of es) e(g, w);
  };
const str =
  (maxLen = 24): Enc =>
  (g, w) =>
    void w.string(g.name(maxLen));
const fixedBytes =
  (n: number): Enc =>
  (g, w) =>
    void w.fixed(g.bytes(n));
const VOID: Enc = () => {};

// ------------------------------------------------------------------------------------------------ NFSv3 (RFC 1813)

/** nfs_fh3: opaque<NFS3_FHSIZE=64>. */
const fh3: Enc = (g, w) => void w.opaque(g.bytes(g.pick([8, 20, 28, 32, 36, 64])));
const nfstime3 = seq(u32, (g, w) => void w.u32(g.int(0, 999_999_999)));
const specdata3 = seq(u32, u32);
const fattr3: Enc = (g, w) => {
  w.u32(g.int(1, 7)); // ftype3
  w.u32(g.int(0, 0o7777)).u32(g.int(1, 100)).u32(g.int(0, 70000)).u32(g.int(0, 70000));
  u64(g, w); // size
  u64(g, w); // used
  specdata3(g, w);
  u64(g, w); // fsid
  u64(g, w); // fileid
  nfstime3(g, w);
  nfstime3(g, w);
  nfstime3(g, w);
};
const postOpAttr = optional(fattr3);
const preOpAttr = optional(seq(u64, nfstime3, nfstime3));
const wccData = seq(preOpAttr, postOpAttr);
const postOpFh = optional(fh3);
const setTime: Enc = (g, w) => {
  const how = g.int(0, 2); // DONT_CHANGE, SET_TO_SERVER_TIME, SET_TO_CLIENT_TIME
  w.u32(how);
  if (how === 2) nfstime3(g, w);
};
const sattr3 = seq(optional(u32), optional(u32), optional(u32), optional(u64), setTime, setTime);
const diropargs3 = seq(fh3, str());
const verf8 = fixedBytes(8);
const NFS_ERRORS = [1, 2, 5, 6, 13, 17, 18, 19, 20, 21, 22, 27, 28, 30, 31, 63, 66, 70, 71, 10001, 10002, 10004, 10006, 10008];

/** A result: nfsstat3 then the resok or resfail arm (RFC 1813's `switch (nfsstat3 status)`). */
function nfsRes(ok: Enc, fail: Enc): Enc {
  return (g, w) => {
    const err = g.chance(0.25);
    w.u32(err ? g.pick(NFS_ERRORS) : 0);
    (err ? fail : ok)(g, w);
  };
}

const createRes = nfsRes(seq(postOpFh, postOpAttr, wccData), wccData);

interface ProcGen {
  args: Enc;
  result: Enc;
}

const NFS3: ProcGen[] = [
  /* 0 NULL */ { args: VOID, result: VOID },
  /* 1 GETATTR */ { args: fh3, result: nfsRes(fattr3, VOID) },
  /* 2 SETATTR */ { args: seq(fh3, sattr3, optional(nfstime3)), result: nfsRes(wccData, wccData) },
  /* 3 LOOKUP */ { args: diropargs3, result: nfsRes(seq(fh3, postOpAttr, postOpAttr), postOpAttr) },
  /* 4 ACCESS */ { args: seq(fh3, (g, w) => void w.u32(g.int(0, 63))), result: nfsRes(seq(postOpAttr, (g, w) => void w.u32(g.int(0, 63))), postOpAttr) },
  /* 5 READLINK */ { args: fh3, result: nfsRes(seq(postOpAttr, str(60)), postOpAttr) },
  /* 6 READ */ {
    args: seq(fh3, u64, (g, w) => void w.u32(g.int(0, 65536))),
    result: nfsRes((g, w) => {
      postOpAttr(g, w);
      const data = g.bytes(g.int(0, 300));
      w.u32(data.length).u32(g.int(0, 1)).opaque(data);
    }, postOpAttr),
  },
  /* 7 WRITE */ {
    args: (g, w) => {
      fh3(g, w);
      u64(g, w);
      const data = g.bytes(g.int(0, 300));
      w.u32(data.length).u32(g.int(0, 2)).opaque(data);
    },
    result: nfsRes(seq(wccData, u32, (g, w) => void w.u32(g.int(0, 2)), verf8), wccData),
  },
  /* 8 CREATE */ {
    args: seq(diropargs3, (g, w) => {
      const mode = g.int(0, 2); // UNCHECKED, GUARDED, EXCLUSIVE
      w.u32(mode);
      if (mode === 2) verf8(g, w);
      else sattr3(g, w);
    }),
    result: createRes,
  },
  /* 9 MKDIR */ { args: seq(diropargs3, sattr3), result: createRes },
  /* 10 SYMLINK */ { args: seq(diropargs3, sattr3, str(60)), result: createRes },
  /* 11 MKNOD */ {
    args: seq(diropargs3, (g, w) => {
      const type = g.int(1, 7);
      w.u32(type);
      if (type === 3 || type === 4) seq(sattr3, specdata3)(g, w);
      else if (type === 6 || type === 7) sattr3(g, w);
    }),
    result: createRes,
  },
  /* 12 REMOVE */ { args: diropargs3, result: nfsRes(wccData, wccData) },
  /* 13 RMDIR */ { args: diropargs3, result: nfsRes(wccData, wccData) },
  /* 14 RENAME */ { args: seq(diropargs3, diropargs3), result: nfsRes(seq(wccData, wccData), seq(wccData, wccData)) },
  /* 15 LINK */ { args: seq(fh3, diropargs3), result: nfsRes(seq(postOpAttr, wccData), seq(postOpAttr, wccData)) },
  /* 16 READDIR */ {
    args: seq(fh3, u64, verf8, u32),
    result: nfsRes(seq(postOpAttr, verf8, list(seq(u64, str(), u64)), bool), postOpAttr),
  },
  /* 17 READDIRPLUS */ {
    args: seq(fh3, u64, verf8, u32, u32),
    result: nfsRes(seq(postOpAttr, verf8, list(seq(u64, str(), u64, postOpAttr, postOpFh), 4), bool), postOpAttr),
  },
  /* 18 FSSTAT */ { args: fh3, result: nfsRes(seq(postOpAttr, u64, u64, u64, u64, u64, u64, u32), postOpAttr) },
  /* 19 FSINFO */ { args: fh3, result: nfsRes(seq(postOpAttr, u32, u32, u32, u32, u32, u32, u32, u64, nfstime3, u32), postOpAttr) },
  /* 20 PATHCONF */ { args: fh3, result: nfsRes(seq(postOpAttr, u32, u32, bool, bool, bool, bool), postOpAttr) },
  /* 21 COMMIT */ { args: seq(fh3, u64, u32), result: nfsRes(seq(wccData, verf8), wccData) },
];

// ------------------------------------------------------------------------------------------------ MOUNT

const dirpath = str(40);
const mountlist = list(seq(str(30), dirpath));
const exportsList = list(seq(dirpath, list(str(20), 3)));
const MOUNT_ERRORS = [1, 2, 5, 13, 20, 22, 63, 10004, 10006];
const mnt3Res: Enc = (g, w) => {
  const err = g.chance(0.25);
  w.u32(err ? g.pick(MOUNT_ERRORS) : 0);
  if (!err) seq(fh3, array((gg, ww) => void ww.u32(gg.pick([0, 1, 390003, 390004, 390005])), 4))(g, w);
};
const mnt1Res: Enc = (g, w) => {
  const err = g.chance(0.25);
  w.u32(err ? g.pick([1, 2, 5, 13, 20]) : 0);
  if (!err) fixedBytes(32)(g, w); // fhandle: opaque[FHSIZE=32]
};
const MOUNT3: ProcGen[] = [
  { args: VOID, result: VOID },
  { args: dirpath, result: mnt3Res },
  { args: VOID, result: mountlist },
  { args: dirpath, result: VOID },
  { args: VOID, result: VOID },
  { args: VOID, result: exportsList },
];
const MOUNT1: ProcGen[] = [
  { args: VOID, result: VOID },
  { args: dirpath, result: mnt1Res },
  { args: VOID, result: mountlist },
  { args: dirpath, result: VOID },
  { args: VOID, result: VOID },
  { args: VOID, result: exportsList },
  { args: VOID, result: exportsList },
];

// ------------------------------------------------------------------------------------------------ PORTMAP / RPCBIND

const PROGS = [100000, 100003, 100005, 100021, 100024, 100227, 300019];
const prog: Enc = (g, w) => void w.u32(g.pick(PROGS));
const mapping = seq(prog, (g, w) => void w.u32(g.int(1, 4)), (g, w) => void w.u32(g.pick([6, 17])), (g, w) => void w.u32(g.int(0, 65535)));
const netid: Enc = (g, w) => void w.string(g.pick(['tcp', 'udp', 'tcp6', 'udp6', 'local', '-']));
const uaddr: Enc = (g, w) => {
  const r = g.float();
  const s = r < 0.6 ? `10.${g.int(0, 255)}.${g.int(0, 255)}.${g.int(1, 254)}.${g.int(0, 255)}.${g.int(0, 255)}` : r < 0.8 ? `::1.${g.int(0, 255)}.${g.int(0, 255)}` : r < 0.9 ? '' : '/run/rpcbind.sock';
  w.string(s);
};
const rpcb = seq(prog, (g, w) => void w.u32(g.int(1, 4)), netid, uaddr, str(12));
/** Indirect call arguments (rmtcallargs / rpcb_rmtcallargs): prog, vers, proc, opaque args. */
const rmtArgs = seq(prog, (g, w) => void w.u32(g.int(1, 4)), (g, w) => void w.u32(g.int(0, 5)), (g, w) => void w.opaque(g.bytes(g.int(0, 24))));
const netbuf: Enc = (g, w) => {
  const buf = g.bytes(g.pick([0, 6, 16, 28]));
  w.u32(buf.length + g.int(0, 16)).opaque(buf);
};
/** rpcb_stat_byvers: three rpcb_stat (RFC 1833 §2.1), each with RPCBSTAT_HIGHPROC (13) counters. */
const rpcbStat = seq(
  (g, w) => {
    for (let i = 0; i < 13; i++) w.u32(g.int(0, 1000));
  },
  u32,
  u32,
  list(seq(prog, u32, u32, u32, netid), 3),
  list(seq(prog, u32, u32, u32, u32, u32, netid), 3),
);
const PORTMAP2: ProcGen[] = [
  { args: VOID, result: VOID },
  { args: mapping, result: bool },
  { args: mapping, result: bool },
  { args: mapping, result: (g, w) => void w.u32(g.int(0, 65535)) },
  { args: VOID, result: list(mapping, 8) },
  { args: rmtArgs, result: seq((g, w) => void w.u32(g.int(0, 65535)), (g, w) => void w.opaque(g.bytes(g.int(0, 24)))) },
];
const RPCBIND3: ProcGen[] = [
  { args: VOID, result: VOID },
  { args: rpcb, result: bool },
  { args: rpcb, result: bool },
  { args: rpcb, result: uaddr },
  { args: VOID, result: list(rpcb, 6) },
  { args: rmtArgs, result: seq(uaddr, (g, w) => void w.opaque(g.bytes(g.int(0, 24)))) },
  { args: VOID, result: u32 },
  { args: uaddr, result: netbuf },
  { args: netbuf, result: uaddr },
];
const RPCBIND4: ProcGen[] = [
  ...RPCBIND3,
  /* 9 GETVERSADDR */ { args: rpcb, result: uaddr },
  /* 10 INDIRECT */ RPCBIND3[5],
  /* 11 GETADDRLIST */ { args: rpcb, result: list(seq(uaddr, netid, (g, w) => void w.u32(g.int(1, 4)), netid, netid), 4) },
  /* 12 GETSTAT */ { args: VOID, result: rpcbStat },
];

/** Program → version → procedures; the server port each program is usually found on. */
export const GENERATED: ReadonlyArray<{ prog: number; vers: number; procs: ProcGen[]; port: number }> = [
  { prog: 100003, vers: 3, procs: NFS3, port: 2049 },
  { prog: 100005, vers: 3, procs: MOUNT3, port: 20048 },
  { prog: 100005, vers: 1, procs: MOUNT1, port: 20048 },
  { prog: 100000, vers: 2, procs: PORTMAP2, port: 111 },
  { prog: 100000, vers: 3, procs: RPCBIND3, port: 111 },
  { prog: 100000, vers: 4, procs: RPCBIND4, port: 111 },
];

// ------------------------------------------------------------------------------------------------ RPC headers

function randomAuth(g: Gen, forCall: boolean): Auth {
  const r = g.float();
  if (r < 0.45) return { flavor: 0, body: new Uint8Array(0) };
  if (r < 0.85 && forCall) {
    const w = new XdrWriter().u32(g.u32()).string(g.name(32)).u32(g.int(0, 70000)).u32(g.int(0, 70000));
    const gids = g.int(0, 16); // AUTH_SYS: gids<16> (RFC 5531 Appendix A)
    w.u32(gids);
    for (let i = 0; i < gids; i++) w.u32(g.int(0, 70000));
    return { flavor: 1, body: w.bytes() };
  }
  // AUTH_SHORT: an opaque handle (RFC 5531 Appendix A), as a credential or a reply verifier
  return { flavor: 2, body: g.bytes(g.int(0, 100)) };
}

export interface GeneratedExchange {
  prog: number;
  vers: number;
  proc: number;
  xid: number;
  call: Uint8Array;
  reply: Uint8Array;
  port: number;
}

export interface ExchangeOptions {
  /** Only these programs (default all of GENERATED). */
  programs?: readonly number[];
  /** Probability of a reply other than SUCCESS (default 0.15). */
  errorReplies?: number;
}

/** A random call and its reply. `xid` must be unique in the conversation for the pairing to be unambiguous. */
export function randomExchange(g: Gen, xid: number, opts: ExchangeOptions = {}): GeneratedExchange {
  const choices = GENERATED.filter((p) => !opts.programs || opts.programs.includes(p.prog));
  const p = g.pick(choices);
  const proc = g.int(0, p.procs.length - 1);
  const pg = p.procs[proc];
  const aw = new XdrWriter();
  pg.args(g, aw);
  const call = buildCall({ xid, prog: p.prog, vers: p.vers, proc, cred: randomAuth(g, true), verf: g.chance(0.8) ? undefined : randomAuth(g, false), body: aw.bytes() });
  let reply: Uint8Array;
  if (g.chance(opts.errorReplies ?? 0.15)) {
    const kind = g.int(0, 6);
    if (kind < 5) reply = buildAcceptedReply({ xid, acceptStat: kind + 1, mismatch: { low: 1, high: g.int(2, 4) } });
    else if (kind === 5) reply = buildDeniedReply({ xid, rpcMismatch: { low: 2, high: 2 } });
    else reply = buildDeniedReply({ xid, authStat: g.int(1, 7) });
  } else {
    const rw = new XdrWriter();
    pg.result(g, rw);
    reply = buildAcceptedReply({ xid, verf: g.chance(0.8) ? undefined : randomAuth(g, false), body: rw.bytes() });
  }
  return { prog: p.prog, vers: p.vers, proc, xid, call, reply, port: p.port };
}
