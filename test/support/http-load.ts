// A bounded HTTP load for tests: a few keep-alive client loops, counting successes and every failure.
import { writeFileSync } from "node:fs";
import { readTcpMigrateReq } from "../../src/master/status.ts";
export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  pids: Set<number>;
}

export function httpLoad(url: string, concurrency = 4): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failed: 0, errors: [], pids: new Set() };
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const response = await fetch(url);
        const text = await response.text();
        if (response.status === 200) {
          result.ok++;
          const pid = Number(/pid (\d+)/.exec(text)?.[1]);
          if (pid) result.pids.add(pid);
        } else {
          result.failed++;
          result.errors.push(`HTTP ${response.status}`);
        }
      } catch (err) {
        result.failed++;
        result.errors.push((err as Error).message);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Sets net.ipv4.tcp_migrate_req=1 when it can (root); returns what it is now. */
export function ensureTcpMigrateReq(): number | null {
  if (readTcpMigrateReq() === 0) {
    try {
      writeFileSync("/proc/sys/net/ipv4/tcp_migrate_req", "1");
    } catch {
      // not root: the caller reports it
    }
  }
  return readTcpMigrateReq();
}
