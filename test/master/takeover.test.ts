// The restart handoff's pure decisions: which ports a new master keeps from the old one.
import { describe, expect, test } from "bun:test";
import type { AppConfig, WorkerGroupConfig } from "../../src/config/types.ts";
import { keepResolvedPorts } from "../../src/master/takeover.ts";

const group = (name: string, url: string, port: number): WorkerGroupConfig => ({
  name,
  listen: { scheme: "tcp", host: "127.0.0.1", port, url },
  count: 1,
  handler: "/app/h.ts",
  reloadable: true,
  maxPackageSize: 1,
  maxSendBufferSize: 1,
  maxBodySize: 1,
  maxBufferedInput: 1,
  packageTimeout: 30,
  idleTimeout: 60,
  socketMode: 0o660,
  env: {},
  watchdogSeconds: 10,
});
const config = (...workers: WorkerGroupConfig[]) => ({ workers }) as unknown as AppConfig;

describe("keepResolvedPorts", () => {
  test("a :0 group keeps the port the old master picked, so clients and both masters' workers share one address", () => {
    const next = keepResolvedPorts(config(group("web", "tcp://127.0.0.1:0", 0)), config(group("web", "tcp://127.0.0.1:0", 41000)));
    expect(next.workers[0]!.listen.port).toBe(41000);
  });

  test("a group whose address changed, a new group and a fixed port take what the file says", () => {
    const previous = config(group("web", "tcp://127.0.0.1:0", 41000), group("api", "tcp://127.0.0.1:0", 41001));
    const next = keepResolvedPorts(
      config(group("web", "tcp://0.0.0.0:0", 0), group("new", "tcp://127.0.0.1:0", 0), group("api", "tcp://127.0.0.1:9000", 9000)),
      previous,
    );
    expect(next.workers.map((g) => g.listen.port)).toEqual([0, 0, 9000]);
  });
});
