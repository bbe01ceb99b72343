/**
 * Procedure names of the programs rpcsnoop knows, from their RFCs and .x files: PORTMAP v2 / RPCBIND v3-v4
 * (RFC 1833), MOUNT v1-v3 (RFC 1094 Appendix A, RFC 1813 Appendix I), NFS v2/v3/v4 (RFC 1094, 1813, 7530),
 * NLM v1-v4 and NSM (X/Open XNFS), RQUOTA (rquota.x), NFS_ACL (Solaris/Linux nfs_acl.x).
 * These make the registry name every procedure; full argument/result decoders replace entries per program.
 */
import type { ProcedureDef, ProgramDef } from '../rpc/registry';

function names(list: string): ReadonlyArray<ProcedureDef> {
  return list.split(/\s+/).map((name) => ({ name }));
}

const PMAP_V2 = names('NULL SET UNSET GETPORT DUMP CALLIT');
const RPCB_V3 = names('NULL SET UNSET GETADDR DUMP CALLIT GETTIME UADDR2TADDR TADDR2UADDR');
const RPCB_V4 = names('NULL SET UNSET GETADDR DUMP BCAST GETTIME UADDR2TADDR TADDR2UADDR GETVERSADDR INDIRECT GETADDRLIST GETSTAT');
const MOUNT_V1 = names('NULL MNT DUMP UMNT UMNTALL EXPORT EXPORTALL');
const MOUNT_V2 = names('NULL MNT DUMP UMNT UMNTALL EXPORT EXPORTALL PATHCONF');
const MOUNT_V3 = names('NULL MNT DUMP UMNT UMNTALL EXPORT');
const NFS_V2 = names('NULL GETATTR SETATTR ROOT LOOKUP READLINK READ WRITECACHE WRITE CREATE REMOVE RENAME LINK SYMLINK MKDIR RMDIR READDIR STATFS');
const NFS_V3 = names(
  'NULL GETATTR SETATTR LOOKUP ACCESS READLINK READ WRITE CREATE MKDIR SYMLINK MKNOD REMOVE RMDIR RENAME LINK READDIR READDIRPLUS FSSTAT FSINFO PATHCONF COMMIT',
);
const NFS_V4 = names('NULL COMPOUND');
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
  { prog: 100000, name: 'PORTMAP', versionNames: { 3: 'RPCBIND', 4: 'RPCBIND' }, versions: { 2: PMAP_V2, 3: RPCB_V3, 4: RPCB_V4 } },
  { prog: 100003, name: 'NFS', versions: { 2: NFS_V2, 3: NFS_V3, 4: NFS_V4 } },
  { prog: 100005, name: 'MOUNT', versions: { 1: MOUNT_V1, 2: MOUNT_V2, 3: MOUNT_V3 } },
  { prog: 100021, name: 'NLM', versions: { 1: NLM_V1, 2: NLM_V1, 3: NLM_V3, 4: NLM_V3 } },
  { prog: 100024, name: 'STATUS', versions: { 1: NSM_V1 } },
  { prog: 100011, name: 'RQUOTA', versions: { 1: RQUOTA_V1, 2: RQUOTA_V2 } },
  { prog: 100227, name: 'NFS_ACL', versions: { 2: NFS_ACL_V2, 3: NFS_ACL_V3 } },
];
