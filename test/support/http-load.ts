// A bounded HTTP load for tests: a few keep-alive client loops, counting successes and every failure.
import { writeFileSync } from "node:fs";
import { readTcpMigrateReq } from "../../src/master/status.ts";
import { waitFor } from "./wait.ts";

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  pids: Set<number>;
}

export interface HttpLoad {
  /** Requests answered 200 so far: a test waits for this to grow instead of sleeping while the load runs. */
  served: () => number;
  stop: () => Promise<LoadResult>;
}

export function httpLoad(url: string, concurrency = 4): HttpLoad {
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
    served: () => result.ok,
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

/** Resolves once `load` has answered `count` more requests from now: proof that traffic flows at this point of a test. */
export async function servedMore(load: HttpLoad, count: number, what: string, timeoutMs = 10_000): Promise<void> {
  const target = load.served() + count;
  await waitFor(() => load.served() >= target, { timeoutMs, what: `${count} more requests served ${what}` });
}
