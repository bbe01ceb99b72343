/** Whether a program status name means success: `NFS3_OK`, `MNT3_OK`, or any other `*_OK` (and plain `OK`). */
export function isOkStatus(status: string): boolean {
  return /(^|_)OK$/.test(status);
}
