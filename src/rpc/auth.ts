/**
 * opaque_auth credentials and verifiers (RFC 5531 §8.2), with the bodies of the flavors rpcsnoop decodes:
 * AUTH_NONE, AUTH_SYS/AUTH_UNIX (RFC 5531 Appendix A), AUTH_SHORT (opaque shorthand), AUTH_DH/AUTH_DES
 * (RFC 2695 §3) and RPCSEC_GSS (RFC 2203 §5). Any other flavor is kept as flavor + length + raw body.
 */
import { hexLower } from '../format/hex';
import { XdrReader } from './xdr';

export const AUTH_NONE = 0;
export const AUTH_UNIX = 1;
export const AUTH_SHORT = 2;
export const AUTH_DES = 3;
export const RPCSEC_GSS = 6;

const FLAVOR_NAMES: Record<number, string> = {
  0: 'AUTH_NONE',
  1: 'AUTH_UNIX',
  2: 'AUTH_SHORT',
  3: 'AUTH_DES',
  4: 'AUTH_KERB',
  5: 'AUTH_RSA',
  6: 'RPCSEC_GSS',
  7: 'AUTH_TLS',
  300001: 'AUTH_GSSAPI',
  390003: 'RPCSEC_GSS_KRB5',
  390004: 'RPCSEC_GSS_KRB5I',
  390005: 'RPCSEC_GSS_KRB5P',
  390039: 'AUTH_GLUSTERFS',
};

export function flavorName(flavor: number): string {
  return FLAVOR_NAMES[flavor] ?? `AUTH_${flavor}`;
}

/** RFC 5531 Appendix A authsys_parms. */
export interface AuthUnixParms {
  stamp: number;
  machine: string;
  uid: number;
  gid: number;
  gids: number[];
}

/** RFC 2695 authdes_cred (call credential) or verifier. */
export interface AuthDesBody {
  nameKind: 'fullname' | 'nickname' | 'verifier';
  name?: string;
  /** Hex of the encrypted conversation key (fullname) or of the encrypted timestamp (verifier). */
  key?: string;
  /** Hex of the 4-byte encrypted window / window verifier. */
  window?: string;
  nickname?: number;
}

/** RFC 2203 §5 rpc_gss_cred_vers_1_t. */
export interface RpcsecGssCred {
  version: number;
  procedure: number;
  procedureName: string;
  seqNum: number;
  service: number;
  serviceName: string;
  /** Hex of the context handle. */
  handle: string;
}

export interface OpaqueAuth {
  flavor: number;
  flavorName: string;
  /** Body length on the wire. */
  length: number;
  /** The raw body (a view into the record). */
  body: Uint8Array;
  unix?: AuthUnixParms;
  des?: AuthDesBody;
  gss?: RpcsecGssCred;
  /** The body of a known flavor failed to parse (e.g. a truncated AUTH_UNIX): kept raw, flagged. */
  malformed?: boolean;
}

const GSS_PROCS = ['RPCSEC_GSS_DATA', 'RPCSEC_GSS_INIT', 'RPCSEC_GSS_CONTINUE_INIT', 'RPCSEC_GSS_DESTROY'];
const GSS_SERVICES: Record<number, string> = { 1: 'none', 2: 'integrity', 3: 'privacy' };

/** RFC 5531: opaque_auth body is at most 400 bytes. */
export const MAX_AUTH_BODY = 400;

/** Lowercase hex of an auth body field (GSS handle, DES key). */
export const hex = hexLower;

/** Reads one opaque_auth. `isCredential` and `isCall` choose how AUTH_DES bodies are read. */
export function readOpaqueAuth(r: XdrReader, isCredential: boolean, isCall: boolean): OpaqueAuth {
  const flavor = r.u32('auth flavor');
  const body = r.opaque(MAX_AUTH_BODY, 'auth body');
  const auth: OpaqueAuth = { flavor, flavorName: flavorName(flavor), length: body.length, body };
  if (body.length === 0) return auth;
  const br = new XdrReader(body);
  try {
    if (flavor === AUTH_UNIX && isCredential) {
      const stamp = br.u32('stamp');
      const machine = br.string(255, 'machinename');
      const uid = br.u32('uid');
      const gid = br.u32('gid');
      const n = br.count(16, 4, 'gids');
      const gids: number[] = [];
      for (let i = 0; i < n; i++) gids.push(br.u32('gid'));
      auth.unix = { stamp, machine, uid, gid, gids };
    } else if (flavor === AUTH_DES) {
      auth.des = readDes(br, isCredential, isCall);
    } else if (flavor === RPCSEC_GSS && isCredential) {
      const version = br.u32('gss version');
      const procedure = br.u32('gss procedure');
      const seqNum = br.u32('gss seq_num');
      const service = br.u32('gss service');
      const handle = br.opaque(MAX_AUTH_BODY, 'gss handle');
      auth.gss = {
        version,
        procedure,
        procedureName: GSS_PROCS[procedure] ?? `RPCSEC_GSS_${procedure}`,
        seqNum,
        service,
        serviceName: GSS_SERVICES[service] ?? String(service),
        handle: hex(handle),
      };
    }
  } catch {
    auth.malformed = true;
  }
  return auth;
}

function readDes(br: XdrReader, isCredential: boolean, isCall: boolean): AuthDesBody {
  if (isCredential) {
    const kind = br.u32('namekind');
    if (kind === 0) {
      const name = br.string(255, 'netname');
      const key = hex(br.fixed(8, 'des key'));
      const window = hex(br.fixed(4, 'window'));
      return { nameKind: 'fullname', name, key, window };
    }
    if (kind === 1) return { nameKind: 'nickname', nickname: br.u32('nickname') };
    throw new Error(`AUTH_DES namekind ${kind}`); // RFC 2695 defines 0 and 1 only: caught, flagged malformed
  }
  if (isCall) {
    // authdes_verf_clnt: encrypted timestamp (des_block) + window verifier
    return { nameKind: 'verifier', key: hex(br.fixed(8, 'timestamp')), window: hex(br.fixed(4, 'winverf')) };
  }
  // authdes_verf_svr: encrypted timestamp + nickname for later calls
  return { nameKind: 'verifier', key: hex(br.fixed(8, 'timeverf')), nickname: br.u32('nickname') };
}
