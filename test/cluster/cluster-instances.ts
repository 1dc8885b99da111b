// Instances of one app joined by a real redis-server, each with its own data dir and ports, for the cluster tests.
import type { StoredEvent } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";

export const WEB = `export default { fetch: () => new Response("pid " + process.pid) };\n`;

const ECHO = `export default { onMessage(conn, data) { conn.send(data); } };\n`;

/**
 * One instance of app "clustered" with one http process (and, with `chat`, one websocket process); `cluster` adds keys
 * (secretFile) to cluster.redis, `extra` to app.json.
 */
export function startInstance(
  redisUrl: string,
  cluster: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  chat = false,
): Promise<AppUnderTest> {
  const web = { name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts" };
  return AppUnderTest.start({
    workers: chat ? [web, { name: "chat", listen: "websocket://127.0.0.1:0", count: 1, handler: "./chat.ts" }] : [web],
    files: { "web.ts": WEB, "chat.ts": ECHO },
    extra: { name: "clustered", cluster: { redis: redisUrl, ...cluster }, ...extra },
  });
}

export async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand(), ...args], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  return { code, out: stdout + stderr };
}

export async function storedEvents(app: AppUnderTest, type: string): Promise<StoredEvent[]> {
  const { items } = await app.api<{ items: StoredEvent[] }>("/api/events/log?limit=1000");
  return items.filter((e) => e.type === type);
}

export async function metric(app: AppUnderTest, name: string): Promise<number | null> {
  const text = await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(" ") + 1));
}
