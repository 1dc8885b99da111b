// The unix-socket JSON microservice example and its REST twin: token file, 401 on a wrong token, routes, per-route metrics.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { askLine } from "../support/clients.ts";

const examples = join(REPO, "examples");

describe("json microservice on unix:// (+ REST twin)", () => {
  let app: AppUnderTest;
  let socketPath = "";
  let tokenFile = "";
  let token = "";
  let rest = "";

  beforeAll(async () => {
    socketPath = join("/tmp", `wm-service-${process.pid}.sock`);
    tokenFile = join("/tmp", `wm-service-${process.pid}`, "service.token");
    const env = { SERVICE_TOKEN_FILE: tokenFile };
    app = await AppUnderTest.start({
      workers: [
        { name: "svc", listen: `unix://${socketPath}`, count: 2, protocol: "json", handler: join(examples, "service-unix.ts"), env },
        { name: "rest", listen: "http://127.0.0.1:0", handler: join(examples, "service-rest.ts"), env },
      ],
    });
    token = (await Bun.file(tokenFile).text()).trim();
    rest = `http://127.0.0.1:${await app.port("rest")}`;
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    await Bun.$`rm -rf ${join("/tmp", `wm-service-${process.pid}`)}`.quiet();
  });

  const ask = async (request: Record<string, unknown>) => JSON.parse(await askLine({ unix: socketPath }, JSON.stringify(request)));

  test("the token is generated once, 64 hex characters, in a file only its owner can read", () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  test("unix: the right token reaches the routes; a wrong or missing one gets 401", async () => {
    expect(await ask({ path: "/sum", method: "POST", auth_token: token, data: [1, 2, 39] })).toEqual({ status: 200, data: 42 });
    expect((await ask({ path: "/ping", auth_token: token })).data.pong).toBe(true);
    expect(await ask({ path: "/sum", method: "POST", auth_token: token, data: "x" })).toEqual({ status: 400, error: "data must be an array of numbers" });
    expect((await ask({ path: "/fail", auth_token: token })).status).toBe(500);
    expect((await ask({ path: "/nope", auth_token: token })).status).toBe(404);
    expect((await ask({ path: "/sum", method: "POST", auth_token: token.replace(/.$/, (c) => (c === "0" ? "1" : "0")), data: [1] })).status).toBe(401);
    expect((await ask({ path: "/sum", method: "POST", data: [1] })).status).toBe(401);
  });

  test("REST twin: same routes with a Bearer token", async () => {
    const call = (path: string, init: RequestInit = {}, auth = token) =>
      fetch(rest + path, { ...init, headers: { Authorization: `Bearer ${auth}`, "Content-Type": "application/json", ...init.headers } });
    const sum = await call("/sum", { method: "POST", body: "[20, 22]" });
    expect(sum.status).toBe(200);
    expect(await sum.json()).toEqual({ status: 200, data: 42 });
    expect((await call("/sum", { method: "POST", body: "[1]" }, "wrong")).status).toBe(401);
    expect((await call("/nope")).status).toBe(404);
  });

  test("per-route metrics (requests, errors, average time) show in the status API", async () => {
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        const svc = s.processes.filter((p) => p.group === "svc");
        const total = (name: string) => svc.reduce((n, p) => n + (p.metrics?.[name] ?? 0), 0);
        const restSeen = s.processes.find((p) => p.group === "rest")?.metrics?.unauthorized === 1;
        // Each process reports once a second: wait until both groups' latest reports are in.
        return total("POST /sum requests") === 2 && total("unauthorized") === 2 && restSeen ? s : undefined;
      },
      5000,
      "metrics in /api/status",
    );
    const svc = status.processes.filter((p) => p.group === "svc");
    const total = (name: string) => svc.reduce((n, p) => n + (p.metrics?.[name] ?? 0), 0);
    expect(total("POST /sum errors")).toBe(1);
    expect(total("GET /fail errors")).toBe(1);
    expect(svc.some((p) => (p.metrics?.["POST /sum avgMs"] ?? -1) >= 0)).toBe(true);
    const restMetrics = status.processes.find((p) => p.group === "rest")!.metrics!;
    expect(restMetrics["POST /sum requests"]).toBe(1);
    expect(restMetrics.unauthorized).toBe(1);
  });
});
