/**
 * File handle → name and path, learned from the traffic (always on, unlike Wireshark's snooping): MNT replies
 * give the root of an export (`server:/export` → handle), LOOKUP/CREATE/MKDIR/SYMLINK/MKNOD/READDIRPLUS give a
 * child's handle under a directory handle, RENAME moves a name. A path is built by walking parents up to an
 * export root; when the chain is broken the path is partial and says so (`…/dir/file`). Bounded (oldest
 * forgotten first), keyed by the handle's hex, and safe against parent cycles.
 */
export interface FhEntry {
  name: string;
  /** Parent directory handle (hex), or null for an export root. */
  parent: string | null;
  /** For an export root: the exported path. */
  root?: string;
}

const MAX_DEPTH = 64;

export class FhNames {
  private readonly map = new Map<string, FhEntry>();

  constructor(private readonly max = 200_000) {}

  get size(): number {
    return this.map.size;
  }

  /** An export root from a MNT reply. */
  root(fh: string, exportPath: string): void {
    this.set(fh, { name: exportPath, parent: null, root: exportPath });
  }

  /** `name` in directory `dir` has handle `fh`. "." and ".." teach nothing. */
  child(fh: string, dir: string, name: string): void {
    if (name === '.' || name === '..' || name.length === 0) return;
    if (fh === dir) return;
    const old = this.map.get(fh);
    if (old?.root !== undefined) return; // an export root keeps its exported path
    this.set(fh, { name, parent: dir });
  }

  /** RENAME: whatever was `fromName` in `fromDir` is now `toName` in `toDir`. */
  rename(fromDir: string, fromName: string, toDir: string, toName: string): void {
    for (const [fh, e] of this.map) {
      if (e.parent === fromDir && e.name === fromName) {
        this.set(fh, { name: toName, parent: toDir });
        return;
      }
    }
  }

  get(fh: string): FhEntry | null {
    return this.map.get(fh) ?? null;
  }

  /** The path of a handle: complete from an export root, partial (starting with "…/") when the chain breaks,
   *  null when the handle is unknown. */
  path(fh: string): string | null {
    const parts: string[] = [];
    let cur: string | null = fh;
    for (let depth = 0; cur !== null && depth < MAX_DEPTH; depth++) {
      const e = this.map.get(cur);
      if (!e) return parts.length ? `…/${parts.reverse().join('/')}` : null;
      if (e.root !== undefined) return parts.length ? `${e.root.replace(/\/+$/, '')}/${parts.reverse().join('/')}` : e.root;
      parts.push(e.name);
      cur = e.parent;
    }
    return parts.length ? `…/${parts.reverse().join('/')}` : null;
  }

  private set(fh: string, e: FhEntry): void {
    this.map.delete(fh);
    this.map.set(fh, e);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}
