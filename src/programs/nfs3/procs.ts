/**
 * The NFS version 3 procedure table (RFC 1813 section 3, program 100003 version 3): for each of the 22 procedures
 * its RFC name, the readers of its arguments and results (args.ts, results.ts), its status, and what a successful
 * reply teaches the FH → name table (learn.ts). Text output (callSummary, replySummary, callDetail, replyDetail)
 * is composed onto these entries elsewhere (summary.ts, detail.ts): `NFS3_PROCEDURES[proc]` is a frozen
 * ProcedureDef without them, e.g. `NFS3_PROCEDURES.map((p) => ({ ...p, callSummary: … }))`.
 */
import type { ProcedureDef } from '../../rpc/registry';
import type { Nfs3ProcName } from './types';
import {
  readACCESS3args,
  readCOMMIT3args,
  readCREATE3args,
  readFSINFO3args,
  readFSSTAT3args,
  readGETATTR3args,
  readLINK3args,
  readLOOKUP3args,
  readMKDIR3args,
  readMKNOD3args,
  readNULL3args,
  readPATHCONF3args,
  readREAD3args,
  readREADDIR3args,
  readREADDIRPLUS3args,
  readREADLINK3args,
  readREMOVE3args,
  readRENAME3args,
  readRMDIR3args,
  readSETATTR3args,
  readSYMLINK3args,
  readWRITE3args,
} from './args';
import {
  readACCESS3res,
  readCOMMIT3res,
  readCREATE3res,
  readFSINFO3res,
  readFSSTAT3res,
  readGETATTR3res,
  readLINK3res,
  readLOOKUP3res,
  readNULL3res,
  readPATHCONF3res,
  readREAD3res,
  readREADDIR3res,
  readREADDIRPLUS3res,
  readREADLINK3res,
  readREMOVE3res,
  readRENAME3res,
  readSETATTR3res,
  readWRITE3res,
} from './results';
import { nfs3Status } from './status';
import { learnCreated, learnLOOKUP, learnREADDIRPLUS, learnRENAME } from './learn';

export { nfs3Status };


/** A table entry: RFC name, readers, status and learning (no text output). */
export type Nfs3ProcedureDef = Readonly<Pick<ProcedureDef, 'name' | 'readArgs' | 'readResult' | 'status' | 'learn'>> & {
  readonly name: Nfs3ProcName;
};

function def(
  name: Nfs3ProcName,
  readArgs: NonNullable<ProcedureDef['readArgs']>,
  readResult: NonNullable<ProcedureDef['readResult']>,
  learn?: ProcedureDef['learn'],
): Nfs3ProcedureDef {
  const d: ProcedureDef = { name, readArgs, readResult };
  if (name !== 'NULL') d.status = nfs3Status;
  if (learn) d.learn = learn;
  return Object.freeze(d) as Nfs3ProcedureDef;
}

/** The 22 NFSv3 procedures, indexed by procedure number (RFC 1813 section 3). */
export const NFS3_PROCEDURES: ReadonlyArray<Nfs3ProcedureDef> = Object.freeze([
  def('NULL', readNULL3args, readNULL3res),
  def('GETATTR', readGETATTR3args, readGETATTR3res),
  def('SETATTR', readSETATTR3args, readSETATTR3res),
  def('LOOKUP', readLOOKUP3args, readLOOKUP3res, learnLOOKUP),
  def('ACCESS', readACCESS3args, readACCESS3res),
  def('READLINK', readREADLINK3args, readREADLINK3res),
  def('READ', readREAD3args, readREAD3res),
  def('WRITE', readWRITE3args, readWRITE3res),
  def('CREATE', readCREATE3args, readCREATE3res, learnCreated),
  def('MKDIR', readMKDIR3args, readCREATE3res, learnCreated),
  def('SYMLINK', readSYMLINK3args, readCREATE3res, learnCreated),
  def('MKNOD', readMKNOD3args, readCREATE3res, learnCreated),
  def('REMOVE', readREMOVE3args, readREMOVE3res),
  def('RMDIR', readRMDIR3args, readREMOVE3res),
  def('RENAME', readRENAME3args, readRENAME3res, learnRENAME),
  def('LINK', readLINK3args, readLINK3res),
  def('READDIR', readREADDIR3args, readREADDIR3res),
  def('READDIRPLUS', readREADDIRPLUS3args, readREADDIRPLUS3res, learnREADDIRPLUS),
  def('FSSTAT', readFSSTAT3args, readFSSTAT3res),
  def('FSINFO', readFSINFO3args, readFSINFO3res),
  def('PATHCONF', readPATHCONF3args, readPATHCONF3res),
  def('COMMIT', readCOMMIT3args, readCOMMIT3res),
]);
