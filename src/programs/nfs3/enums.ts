/**
 * The small RFC 1813 enums (ftype3 and time_how section 2.6, stable_how section 3.3.7, createmode3 section
 * 3.3.8): number ↔ RFC name. Values outside the RFC decode as `UNKNOWN(<n>)` (types.ts), which maps back.
 */
import type { Unknown, createmode3, createmode3Name, ftype3, ftype3Name, stable_how, stable_howName, time_how, time_howName } from './types';

export function unknownName(value: number): Unknown {
  return `UNKNOWN(${value >>> 0})`;
}

/** The number inside `UNKNOWN(n)`, else null. */
export function unknownValue(name: string): number | null {
  const m = /^UNKNOWN\((\d+)\)$/.exec(name);
  return m ? Number(m[1]) : null;
}

function table<N extends string>(names: Readonly<Record<number, N>>) {
  const byName = new Map<string, number>(Object.entries(names).map(([n, name]) => [name, Number(n)]));
  return {
    name: (value: number): N | Unknown => names[value] ?? unknownName(value),
    value: (name: string): number | null => byName.get(name) ?? unknownValue(name),
  };
}

/** Section 2.6 ftype3. */
export const FTYPE3: Readonly<Record<number, ftype3Name>> = Object.freeze({
  1: 'NF3REG',
  2: 'NF3DIR',
  3: 'NF3BLK',
  4: 'NF3CHR',
  5: 'NF3LNK',
  6: 'NF3SOCK',
  7: 'NF3FIFO',
});
/** Section 2.6 time_how. */
export const TIME_HOW: Readonly<Record<number, time_howName>> = Object.freeze({
  0: 'DONT_CHANGE',
  1: 'SET_TO_SERVER_TIME',
  2: 'SET_TO_CLIENT_TIME',
});
/** Section 3.3.7 stable_how. */
export const STABLE_HOW: Readonly<Record<number, stable_howName>> = Object.freeze({
  0: 'UNSTABLE',
  1: 'DATA_SYNC',
  2: 'FILE_SYNC',
});
/** Section 3.3.8 createmode3. */
export const CREATEMODE3: Readonly<Record<number, createmode3Name>> = Object.freeze({
  0: 'UNCHECKED',
  1: 'GUARDED',
  2: 'EXCLUSIVE',
});

const ftype3Table = table(FTYPE3);
const timeHowTable = table(TIME_HOW);
const stableHowTable = table(STABLE_HOW);
const createmode3Table = table(CREATEMODE3);

export const ftype3Of: (value: number) => ftype3 = ftype3Table.name;
export const ftype3Value: (name: string) => number | null = ftype3Table.value;
export const time_howOf: (value: number) => time_how = timeHowTable.name;
export const time_howValue: (name: string) => number | null = timeHowTable.value;
export const stable_howOf: (value: number) => stable_how = stableHowTable.name;
export const stable_howValue: (name: string) => number | null = stableHowTable.value;
export const createmode3Of: (value: number) => createmode3 = createmode3Table.name;
export const createmode3Value: (name: string) => number | null = createmode3Table.value;
