// An in-memory index of a static folder (URL path -> real file path), kept fresh by a watcher, so a miss costs no stat.
import { readdirSync, realpathSync, statSync, watch, type FSWatcher } from "node:fs";
import { join, sep } from "node:path";

export interface StaticIndexOptions {
  /** Serve names starting with "." (`.env`, `.git/config`); refused by default. */
  dotfiles: boolean;
  /** Serve symlinks whose target lies outside the folder; refused by default. */
  outsideSymlinks: boolean;
}

/** A walk stops here (a link to "/" with staticOutsideSymlinks would otherwise index the whole machine). */
const MAX_FILES = 200_000;

/** Rebuilds wait this long after the last change, so a burst of writes (a deploy copying files) costs one walk. */
const REBUILD_DELAY_MS = 20;

export class StaticIndex {
  readonly root: string;
  #files = new Map<string, string>();
  #watcher: FSWatcher | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    root: string,
    private readonly options: StaticIndexOptions,
  ) {
    this.root = realpathSync(root);
    this.rebuild();
    try {
      this.#watcher = watch(this.root, { recursive: true }, () => this.refreshSoon());
      this.#watcher.on("error", () => this.#fallBackToPolling());
      this.#watcher.unref?.();
    } catch {
      this.#fallBackToPolling();
    }
  }

  /** The real path of the file `urlPath` names ("/a/b.css"; "/" and "/dir/" name their index.html), if any. */
  lookup(urlPath: string): string | undefined {
    return this.#files.get(urlPath);
  }

  get size(): number {
    return this.#files.size;
  }

  refreshSoon(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.rebuild();
    }, REBUILD_DELAY_MS);
    this.#timer.unref?.();
  }

  rebuild(): void {
    const files = new Map<string, string>();
    this.#walk(this.root, "/", files, new Set([this.root]));
    if (files.size >= MAX_FILES && this.#files.size < MAX_FILES) {
      console.error(`static folder ${this.root}: more than ${MAX_FILES} files, only the first ${MAX_FILES} are served`);
    }
    this.#files = files;
  }

  close(): void {
    this.#watcher?.close();
    clearTimeout(this.#timer);
  }

  /** Without inotify (limits reached, odd filesystems) the folder is walked again every few seconds instead. */
  #fallBackToPolling(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    setInterval(() => this.rebuild(), 2000).unref?.();
  }

  /** Records the files under `dir` by real path; `seen` holds the real folders walked, so a symlink loop ends. */
  #walk(dir: string, urlDir: string, files: Map<string, string>, seen: Set<string>): void {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.size >= MAX_FILES) return;
      if (!this.options.dotfiles && entry.name.startsWith(".")) continue;
      let real = join(dir, entry.name);
      let isFile = entry.isFile();
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        const target = this.#linkTarget(real);
        if (target === null) continue;
        ({ real, isFile, isDirectory } = target);
      }
      const url = urlDir + entry.name;
      if (isFile) files.set(url, real);
      else if (isDirectory && !seen.has(real)) {
        seen.add(real);
        this.#walk(real, `${url}/`, files, seen);
      }
    }
    const index = files.get(`${urlDir}index.html`);
    if (index !== undefined) {
      files.set(urlDir, index);
      if (urlDir !== "/") files.set(urlDir.slice(0, -1), index);
    }
  }

  /** A symlink's resolved target, or null when it dangles or leaves the folder without `outsideSymlinks`. */
  #linkTarget(path: string): { real: string; isFile: boolean; isDirectory: boolean } | null {
    try {
      const real = realpathSync(path);
      if (!this.options.outsideSymlinks && real !== this.root && !real.startsWith(this.root + sep)) return null;
      const info = statSync(real);
      return { real, isFile: info.isFile(), isDirectory: info.isDirectory() };
    } catch {
      return null;
    }
  }
}
