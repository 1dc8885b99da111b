// Builds ./workerman-app when asked (or missing) and runs a private copy: other engineers' test runs rebuild the shared file mid-benchmark.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup, runToEnd } from "./processes.ts";
import { REPO } from "./servers.ts";

const SHARED = join(REPO, "workerman-app");

export interface BinarySnapshot {
  path: string;
  /** Which source the copy was built from, for the report. */
  build: string;
}

function git(args: string[]): string {
  const out = Bun.spawnSync(["git", ...args], { cwd: REPO, stdout: "pipe", stderr: "ignore" });
  return out.success ? out.stdout.toString().trim() : "unknown";
}

export async function snapshotBinary(build: boolean, log: (line: string) => void, source = SHARED): Promise<BinarySnapshot> {
  if (source !== SHARED) {
    if (!existsSync(source)) throw new Error(`--binary ${source}: no such file`);
    return { path: source, build: `${source} (given with --binary)` };
  }
  if (build || !existsSync(SHARED)) {
    log("building ./workerman-app");
    const { code, lines } = await runToEnd([process.execPath, "build.ts"], 300_000, { cwd: REPO });
    if (code !== 0) throw new Error(`build failed:\n${lines.join("\n")}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "wm-bench-bin-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "workerman-app");
  copyFileSync(SHARED, path);
  const built = new Date(statSync(SHARED).mtimeMs).toISOString().slice(0, 16).replace("T", " ");
  const dirty = git(["status", "--porcelain", "--", "src", "build.ts"]) ? " with uncommitted src/ changes" : "";
  // The last commit that touched what the executable is built from: HEAD itself may be a docs or bench commit.
  const sourceCommit = git(["log", "-1", "--format=%h", "--", "src", "build.ts", "package.json"]);
  return { path, build: `src/ at commit ${sourceCommit}${dirty}, built ${built} UTC` };
}
