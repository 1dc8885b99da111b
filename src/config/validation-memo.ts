// Remembers the app.json texts this executable has already validated, so a start on an unchanged file skips zod.
// zod's import, schema construction and first parse cost the master about 50 ms of CPU, more than the rest of its start.
// The memo is <dataDir>/config-checked.json: the text's hash with this build's identity, and the data the schema gave.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isCompiled } from "../self-command.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_DATA_DIR } from "./defaults.ts";
import type { RawAppJson } from "./schema.ts";

export const MEMO_FILE = "config-checked.json";

export interface ValidationMemo {
  /** The schema's output for this very text, if this build has validated it before. */
  read(): RawAppJson | null;
  /** Best effort: a data directory that cannot take the file only means the next start validates again. */
  write(data: RawAppJson): void;
}

interface MemoFile {
  key: string;
  data: RawAppJson;
}

/**
 * The build's identity: its version and the executable's size, mtime and inode, so a rebuild (maybe with another
 * schema) never reads an older build's memo. Null when running from source: the schema may change under the same bun.
 */
export function buildIdentity(): string | null {
  if (!isCompiled()) return null;
  const stat = statSync(process.execPath);
  return `${VERSION} ${stat.size} ${stat.mtimeMs} ${stat.ino}`;
}

/** The memo for `text` (already parsed as `raw`), or null when there is no build identity. The dataDir is read unvalidated: it only locates the file. */
export function validationMemo(raw: unknown, text: string, baseDir: string, build = buildIdentity()): ValidationMemo | null {
  if (build === null) return null;
  const dataDir = (raw as { dataDir?: unknown } | null)?.dataDir ?? DEFAULT_DATA_DIR;
  if (typeof dataDir !== "string" || dataDir === "") return null;
  const dir = resolve(baseDir, dataDir);
  const path = join(dir, MEMO_FILE);
  const key = new Bun.CryptoHasher("sha256").update(build).update("\0").update(text).digest("hex");
  return {
    read() {
      try {
        const memo = JSON.parse(readFileSync(path, "utf8")) as MemoFile;
        return memo.key === key ? memo.data : null;
      } catch {
        return null;
      }
    },
    write(data) {
      const temp = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(temp, JSON.stringify({ key, data } satisfies MemoFile), { mode: 0o600 });
        renameSync(temp, path);
      } catch {
        // A full disk leaves no half-written temporary behind; the master's own data-directory check says what is wrong.
        rmSync(temp, { force: true });
      }
    },
  };
}
