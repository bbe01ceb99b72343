/**
 * Procedure names of the programs rpcsnoop names but does not decode: NLM v1-v4 and NSM (X/Open XNFS), RQUOTA
 * (rquota.x), NFS_ACL (Solaris/Linux nfs_acl.x). PORTMAP/RPCBIND, MOUNT and NFS have full decoders of their own
 * (portmap-program.ts, mount.ts, nfs3/nfs-program.ts).
 */
import type { ProcedureDef, ProgramDef } from '../rpc/registry';

/** A version's procedures named only, from a space-separated list in procedure-number order. */
export function names(list: string): ReadonlyArray<ProcedureDef> {
  return Object.freeze(list.split(/\s+/).map((name) => Object.freeze({ name })));
}

const NLM_V1 = names(
  'NULL TEST LOCK CANCEL UNLOCK GRANTED TEST_MSG LOCK_MSG CANCEL_MSG UNLOCK_MSG GRANTED_MSG TEST_RES LOCK_RES CANCEL_RES UNLOCK_RES GRANTED_RES',
);
const NLM_V3: ReadonlyArray<ProcedureDef | undefined> = [
  ...NLM_V1,
  undefined,
  undefined,
  undefined,
  undefined,
  ...names('SHARE UNSHARE NM_LOCK FREE_ALL'),
];
const NSM_V1 = names('NULL STAT MON UNMON UNMON_ALL SIMU_CRASH NOTIFY');
const RQUOTA_V1 = names('NULL GETQUOTA GETACTIVEQUOTA');
const RQUOTA_V2 = names('NULL GETQUOTA GETACTIVEQUOTA SETQUOTA SETACTIVEQUOTA');
const NFS_ACL_V2 = names('NULL GETACL SETACL GETATTR ACCESS GETXATTRDIR');
const NFS_ACL_V3 = names('NULL GETACL SETACL GETXATTRDIR');

export const NAMED_PROGRAMS: ReadonlyArray<ProgramDef> = [
  { prog: 100021, name: 'NLM', versions: { 1: NLM_V1, 2: NLM_V1, 3: NLM_V3, 4: NLM_V3 } },
  { prog: 100024, name: 'STATUS', versions: { 1: NSM_V1 } },
  { prog: 100011, name: 'RQUOTA', versions: { 1: RQUOTA_V1, 2: RQUOTA_V2 } },
  { prog: 100227, name: 'NFS_ACL', versions: { 2: NFS_ACL_V2, 3: NFS_ACL_V3 } },
];
