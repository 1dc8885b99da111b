// Drives the shared-app fixture over HTTP: one call, or bursts of concurrent calls from whichever processes the connections reach.
import { join } from "node:path";

export const SHARED_APP = join(import.meta.dir, "fixtures/shared-app.ts");

export interface CallAnswer {
  pid: number;
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
  field?: string;
  ms: number;
}

export type Call =
  | { op: "get" | "delete"; key: string }
  | { op: "set"; key: string; value: unknown; ttlSeconds?: number }
  | { op: "incr"; key: string; by?: number }
  | { op: "cas"; key: string; expected?: unknown; absent?: boolean; value: unknown; ttlSeconds?: number };

/** A fresh connection per request (Connection: close), so requests spread over the group's processes. */
export async function call(port: number, body: Call): Promise<CallAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}/call`, { method: "POST", body: JSON.stringify(body), headers: { Connection: "close" } });
  return (await response.json()) as CallAnswer;
}

/** The value a get answers; undefined for an absent key. */
export async function read(port: number, key: string): Promise<unknown> {
  const answer = await call(port, { op: "get", key });
  if (!answer.ok) throw new Error(`get ${key}: ${answer.code}: ${answer.message}`);
  return answer.value === "(undefined)" ? undefined : answer.value;
}

/**
 * Sends bursts of `perRequest` concurrent calls (/incr-burst or /cas-burst) on fresh connections until `requests`
 * bursts went and at least `minPids` processes served some; returns the calls made and the pids seen.
 */
export async function bursts(
  ports: number[],
  path: "/incr-burst" | "/cas-burst",
  key: string,
  requests: number,
  perRequest: number,
): Promise<{ calls: number; pids: Set<number>; answers: CallAnswer[] }> {
  const answers = await Promise.all(
    Array.from({ length: requests }, async (_, i) => {
      const port = ports[i % ports.length]!;
      const response = await fetch(`http://127.0.0.1:${port}${path}?key=${encodeURIComponent(key)}&n=${perRequest}`, { headers: { Connection: "close" } });
      return (await response.json()) as CallAnswer;
    }),
  );
  const failed = answers.filter((a) => !a.ok);
  if (failed.length) throw new Error(`${failed.length} bursts failed: ${failed[0]!.code}: ${failed[0]!.message}`);
  return { calls: requests * perRequest, pids: new Set(answers.map((a) => a.pid)), answers };
}
