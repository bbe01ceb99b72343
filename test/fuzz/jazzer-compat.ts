/**
 * Make Jazzer.js's prebuilt libFuzzer addon load on Debian 12 (glibc 2.36, GCC 12's libstdc++).
 *
 * @jazzer.js/fuzzer 4.0.0 ships prebuilds/fuzzer-linux-x64.node linked on a newer system. It asks for two symbol
 * versions this machine and CI do not have, and nothing else:
 *   - GLIBC_2.38 for __isoc23_strtol / __isoc23_strtoul: glibc 2.38's C23 flavours of strtol(3)/strtoul(3), which
 *     only add "0b" prefixes. libFuzzer parses its decimal flags with them, so the classic functions do the same job.
 *   - GLIBCXX_3.4.32 for std::ios_base_library_init(): GCC 13's hook that initialises the standard streams once.
 *     ios_base::Init's constructor (GLIBCXX_3.4, ignores `this`) does the same job in GCC 12's libstdc++.
 * So the ELF file is edited in place (ELF gABI, "Symbol Versioning" of the LSB / Solaris linker guide):
 *   - each Elfxx_Vernaux naming GLIBC_2.38 / GLIBCXX_3.4.32 is retargeted to GLIBC_2.2.5 / GLIBCXX_3.4: vna_name
 *     points at that string (already in .dynstr), vna_hash is its ELF hash, vna_flags 0 (not weak);
 *   - the two __isoc23_strto(u)l symbols' st_name moves 9 bytes on, past "__isoc23_", to "strto(u)l";
 *   - the string "_ZSt21ios_base_library_initv" is overwritten by the shorter "_ZNSt8ios_base4InitC1Ev".
 * Strings are only re-pointed or shortened in place, so no offsets or sizes change and no hash table is involved
 * (undefined symbols are not in .gnu.hash).
 *
 * ensureJazzerLoads() is idempotent: it first tries to load the addon (in a child process, so a failure leaves
 * this process clean); only when that fails for exactly those two versions does it patch (keeping the original as
 * <file>.orig) and check again. Any other failure is reported as one line. Run standalone: exit 0 or 1.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const RETARGET: Readonly<Record<string, string>> = { 'GLIBC_2.38': 'GLIBC_2.2.5', 'GLIBCXX_3.4.32': 'GLIBCXX_3.4' };
const ISOC23 = ['__isoc23_strtol', '__isoc23_strtoul'];
const ISOC23_PREFIX_LEN = '__isoc23_'.length;
const IOS_INIT_NEW = '_ZSt21ios_base_library_initv';
const IOS_INIT_OLD = '_ZNSt8ios_base4InitC1Ev';
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;

/** The addon Jazzer.js loads on this platform (addon.js: prebuilds/fuzzer-<platform>-<arch>.node). */
export function addonPath(): string {
  const pkg = require.resolve('@jazzer.js/fuzzer/package.json');
  return path.join(path.dirname(pkg), 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

/** Try to dlopen the addon in a child process: null when it loads, else the loader's message. */
export function loadError(file: string): string | null {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const line = /Error: (.*)/.exec(r.stderr)?.[1] ?? (r.stderr.trim() || `exit ${r.status}`);
  return line;
}

/** True when `message` is the dynamic loader missing one of the versions this patch retargets. */
export function isKnownVersionError(message: string): boolean {
  const m = /version `([^']+)' not found/.exec(message);
  return m !== null && m[1] in RETARGET;
}

/** The SysV ELF hash (gABI "Hash Table"), which vna_hash must hold for its vna_name. */
export function elfHash(name: string): number {
  let h = 0;
  for (const c of Buffer.from(name, 'latin1')) {
    h = ((h << 4) + c) >>> 0;
    const g = h & 0xf0000000;
    if (g) h ^= g >>> 24;
    h = (h & ~g) >>> 0;
  }
  return h;
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/**
 * Patch an ELF64 little-endian shared object in memory (see the file comment). Returns the number of edits (0 when
 * there was nothing to retarget); throws when the file is not what this patch was written for.
 */
export function patchElf(b: Buffer): number {
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error('not an ELF64 little-endian file');
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const secs: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    secs.push({
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 0x18)),
      size: Number(b.readBigUInt64LE(o + 0x20)),
      link: b.readUInt32LE(o + 0x28),
      entsize: Number(b.readBigUInt64LE(o + 0x38)),
    });
  }
  const dynsym = secs.find((s) => s.type === SHT_DYNSYM);
  const verneed = secs.find((s) => s.type === SHT_GNU_VERNEED);
  if (!dynsym || !verneed) throw new Error('no .dynsym or .gnu.version_r section');
  const dynstr = secs[dynsym.link];
  const str = (off: number): string => {
    const start = dynstr.offset + off;
    const end = b.indexOf(0, start);
    return b.toString('latin1', start, end);
  };
  const strOffset = (s: string): number => {
    const i = b.indexOf(Buffer.from(s + '\0', 'latin1'), dynstr.offset);
    if (i < 0 || i >= dynstr.offset + dynstr.size) throw new Error(`no string ${s} in .dynstr`);
    return i - dynstr.offset;
  };
  let edits = 0;
  // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 (sh_info entries; vn_next 0 ends).
  // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
  for (let o = verneed.offset; ; ) {
    const cnt = b.readUInt16LE(o + 2);
    let a = o + b.readUInt32LE(o + 8);
    for (let k = 0; k < cnt; k++) {
      const to = RETARGET[str(b.readUInt32LE(a + 8))];
      if (to !== undefined) {
        b.writeUInt32LE(elfHash(to), a);
        b.writeUInt16LE(0, a + 4);
        b.writeUInt32LE(strOffset(to), a + 8);
        edits++;
      }
      const next = b.readUInt32LE(a + 12);
      if (next === 0) break;
      a += next;
    }
    const next = b.readUInt32LE(o + 12);
    if (next === 0) break;
    o += next;
  }
  // Elf64_Sym: st_name u32 first, 24 bytes each.
  for (let o = dynsym.offset; o < dynsym.offset + dynsym.size; o += dynsym.entsize) {
    const nameOff = b.readUInt32LE(o);
    const name = str(nameOff);
    if (ISOC23.includes(name)) {
      b.writeUInt32LE(nameOff + ISOC23_PREFIX_LEN, o);
      edits++;
    } else if (name === IOS_INIT_NEW) {
      const p = dynstr.offset + nameOff;
      b.fill(0, p, p + name.length);
      b.write(IOS_INIT_OLD, p, 'latin1');
      edits++;
    }
  }
  return edits;
}

/** Make the addon load, patching it when needed. Returns null when it loads, else one line saying why not. */
export function ensureJazzerLoads(log: (line: string) => void = () => {}): string | null {
  let file: string;
  try {
    file = addonPath();
  } catch {
    return 'jazzer-compat: @jazzer.js/fuzzer is not installed (npm ci)';
  }
  if (!fs.existsSync(file)) return `jazzer-compat: no prebuilt fuzzer addon for ${process.platform}-${process.arch} (${file})`;
  const first = loadError(file);
  if (first === null) return null;
  if (process.platform !== 'linux' || process.arch !== 'x64' || !isKnownVersionError(first)) {
    return `jazzer-compat: the fuzzer addon does not load: ${first}`;
  }
  const orig = `${file}.orig`;
  try {
    const bytes = fs.readFileSync(file);
    if (!fs.existsSync(orig)) fs.writeFileSync(orig, bytes);
    const edits = patchElf(bytes);
    const tmp = `${file}.tmp${process.pid}`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file); // atomic: a concurrent loader sees the old or the new file, never half of it
    log(`jazzer-compat: retargeted ${edits} glibc/libstdc++ version references in ${file} (original kept as .orig)`);
  } catch (e) {
    return `jazzer-compat: patching ${file} failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  const second = loadError(file);
  return second === null ? null : `jazzer-compat: the fuzzer addon still does not load after patching: ${second}`;
}

if (require.main === module) {
  const err = ensureJazzerLoads((l) => process.stderr.write(l + '\n'));
  if (err !== null) {
    process.stderr.write(err + '\n');
    process.exit(1);
  }
}
