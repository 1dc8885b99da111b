// Runs stream-echo.c (compiled once with the system's cc, cached by its source's hash) for the text, frame and json loads.
import { existsSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "./result.ts";

const SOURCE = join(import.meta.dir, "stream-echo.c");

/**
 * The compiled generator, or null when there is no C compiler (the Bun generator is used then). One line in flight per
 * connection, the Bun generator spent more CPU per message than the server it loaded (servers at 56-76% of their core):
 * the rate it measured was its own.
 */
export function nativeEcho(): string | null {
  const source = readFileSync(SOURCE);
  const path = join(tmpdir(), `wm-stream-echo-${Bun.hash(source).toString(16)}`);
  if (existsSync(path)) return path;
  const partial = `${path}.${process.pid}`;
  if (Bun.which("cc") === null) return null;
  const built = Bun.spawnSync(["cc", "-O2", "-o", partial, SOURCE], { stdout: "ignore", stderr: "pipe" });
  if (!built.success) return null;
  // Renamed into place: two loads building at once never run a half-written file.
  renameSync(partial, path);
  return path;
}

export interface NativeEchoOptions {
  host: string;
  port: number;
  connections: number;
  window: number;
  seconds: number;
  /** One request; every reply is expected to be the same bytes. */
  request: Uint8Array;
}

export async function runNativeEcho(binary: string, options: NativeEchoOptions): Promise<LoadResult> {
  const { host, port, connections, window, seconds, request } = options;
  const argv = [binary, host, String(port), String(connections), String(window), String(seconds), Buffer.from(request).toString("hex")];
  const child = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`stream-echo (native) failed with ${code}: ${err.trim()}`);
  return JSON.parse(out.trim()) as LoadResult;
}
