/**
 * ONC RPC program numbers and their names, like /etc/rpc (glibc's and rpcbind's lists, RFC 5531 Appendix C
 * ranges). Used to name programs in output and, for the "RPC on any port" heuristic, to tell a known program
 * from noise.
 */
const PROGRAMS: ReadonlyMap<number, string> = new Map([
  [100000, 'PORTMAP'],
  [100001, 'RSTAT'],
  [100002, 'RUSERS'],
  [100003, 'NFS'],
  [100004, 'YPSERV'],
  [100005, 'MOUNT'],
  [100007, 'YPBIND'],
  [100008, 'WALL'],
  [100009, 'YPPASSWD'],
  [100010, 'ETHERSTAT'],
  [100011, 'RQUOTA'],
  [100012, 'SPRAY'],
  [100017, 'REX'],
  [100020, 'KLM'],
  [100021, 'NLM'],
  [100024, 'STATUS'],
  [100026, 'BOOTPARAM'],
  [100028, 'YPUPDATE'],
  [100029, 'KEYSERV'],
  [100069, 'YPXFR'],
  [100083, 'TTDBSERVER'],
  [100099, 'AUTOFS'],
  [100133, 'NSM_ADDRAND'],
  [100227, 'NFS_ACL'],
  [100232, 'SADMIND'],
  [100300, 'NIS+'],
  [100303, 'NISPASSWD'],
  [150001, 'PCNFSD'],
  [300019, 'AMD'],
  [390113, 'NSR'],
  [395650, 'GLUSTERFS'],
  [400010, 'NETAPP_NLM'],
  [100249, 'NFS_CB'],
  [1073741824, 'NFS4_CALLBACK'],
]);

/** The program's short name, or null when it is not in the table. */
export function programName(prog: number): string | null {
  return PROGRAMS.get(prog) ?? null;
}

/** RFC 5531 Appendix C: 0x40000000-0x5fffffff are transient (assigned at run time, e.g. NFSv4 callbacks). */
export function isTransientProgram(prog: number): boolean {
  return prog >= 0x40000000 && prog <= 0x5fffffff;
}

export function isKnownProgram(prog: number): boolean {
  return PROGRAMS.has(prog);
}
