/**
 * The hostile captures (issue 8): each one's file name, what it is built to break, and its builder. generate.ts
 * writes them; test/hostile.test.ts and bench/hostile.ts read them.
 */
import { pcapBytes } from '../helpers/synthetic-capture';
import { escapeSequenceFrames } from './escape-sequences';

export interface HostileCapture {
  /** File name in fixtures/hostile/ (.gz: gzip-compressed). */
  name: string;
  /** What it attacks, one line. */
  about: string;
  build(): Buffer;
  /** Too large to commit: written only on demand (`--full`, or by name). */
  onDemand?: true;
}

export const HOSTILE_CAPTURES: HostileCapture[] = [
  {
    name: 'escape_sequences.pcap',
    about: 'terminal escape sequences, bidi overrides and invalid UTF-8 in every printed wire string',
    build: () => pcapBytes(escapeSequenceFrames()),
  },
];
