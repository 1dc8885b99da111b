// Builds ./workerman-app once per test run, so compiled-mode tests run the real executable of this tree.
import { existsSync, statSync } from "node:fs";
import { BINARY, REPO } from "./app-under-test.ts";

let building: Promise<void> | undefined;

export function ensureBinary(): Promise<void> {
  building ??= (async () => {
    // Reuse a binary newer than this test run's start (another test file built it); otherwise build.
    if (existsSync(BINARY) && statSync(BINARY).mtimeMs > Date.now() - performance.now()) return;
    const build = Bun.spawn([process.execPath, "build.ts"], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`);
  })();
  return building;
}
