/** Display filters the capture target picks from, for its -Y mode and the TUI's filter bar: every kind of field and operator (README, filter/fields.ts). */
export const FILTERS: readonly string[] = [
  'proc == LOOKUP and status == NOENT',
  'program == MOUNT or prog == 100000',
  'rtt > 10ms',
  'uid == 0 and proc == CREATE',
  'path ~ "\\\\.txt$"',
  'unanswered or retransmit',
  'not error',
  'xid == 0x1234 or port == 2049',
  'status != NFS3_OK',
  'src == 127.0.0.1 and vers >= 3',
];
