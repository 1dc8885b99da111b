// Every listener scheme end to end, through the bundled examples, from source and from the compiled executable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest, BINARY, cliCommand, isAlive, livePids, REPO, type Mode } from "../support/app-under-test.ts";
import { askLine, frame, streamClient, udpAsk, wsClient } from "../support/clients.ts";
import { ensureBinary } from "../support/binary.ts";
import { waitFor } from "../support/wait.ts";

const examples = join(REPO, "examples");
const FRAME_ECHO = `export default { onMessage(conn, data) { conn.send("pid " + process.pid + ": " + data.toString()); } };`;

function exampleWorkers(socketPath: string) {
  return [
    { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: join(examples, "web.ts"), static: join(REPO, "static") },
    { name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: join(examples, "chat.ts") },
    { name: "echo", listen: "text://127.0.0.1:0", handler: join(examples, "echo.ts") },
    { name: "dns", listen: "udp://127.0.0.1:0", count: 2, handler: join(examples, "udp.ts") },
    { name: "svc", listen: `unix://${socketPath}`, count: 2, protocol: "json", handler: join(examples, "svc.ts") },
    { name: "frames", listen: "frame://127.0.0.1:0", count: 2, handler: "./frame-echo.ts" },
  ];
}

for (const mode of ["source", "compiled"] as Mode[]) {
  describe(`every scheme (${mode})`, () => {
    let app: AppUnderTest;
    let socketPath: string;

    beforeAll(async () => {
      if (mode === "compiled") await ensureBinary();
      socketPath = join("/tmp", `wm-svc-${process.pid}-${mode}.sock`);
      app = await AppUnderTest.start({ mode, workers: exampleWorkers(socketPath), files: { "frame-echo.ts": FRAME_ECHO } });
    }, 60_000);

    afterAll(async () => {
      await app?.[Symbol.asyncDispose]();
    });

    test("the start table lists every group as ready", () => {
      const table = app.output.join("\n");
      for (const group of ["web", "chat", "echo", "dns", "svc", "frames"]) expect(table).toMatch(new RegExp(`^${group}\\s+\\S+\\s+\\d+\\s+ready$`, "m"));
    });

    test("http: a Hono route and a JSON route answer", async () => {
      const port = await app.port("web");
      const hello = await fetch(`http://127.0.0.1:${port}/hello`);
      expect(await hello.text()).toMatch(/^Hello from worker pid \d+/);
      const info = (await (await fetch(`http://127.0.0.1:${port}/api/info`)).json()) as { pid: number };
      expect((await app.pids("web")).includes(info.pid)).toBe(true);
    });

    test("http: static files have a content type and validators, and cannot escape the folder", async () => {
      const base = `http://127.0.0.1:${await app.port("web")}`;
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toContain("<h1>workerman-app</h1>");
      const etag = page.headers.get("etag")!;
      expect(etag).toBeTruthy();
      expect((await fetch(`${base}/`, { headers: { "If-None-Match": etag } })).status).toBe(304);
      expect((await fetch(`${base}/style.css`)).headers.get("content-type")).toContain("text/css");
      for (const attack of ["/..%2fpackage.json", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%5c..%5cpackage.json"]) {
        const response = await fetch(base + attack);
        expect(response.status === 403 || response.status === 404).toBe(true);
        expect(await response.text()).not.toContain('"name"');
      }
    });

    test("http: connections to one port reach at least two worker processes", async () => {
      const port = await app.port("web");
      const pids = new Set<number>();
      for (let i = 0; i < 40 && pids.size < 2; i++) {
        const info = (await (await fetch(`http://127.0.0.1:${port}/api/info`, { headers: { Connection: "close" }, keepalive: false })).json()) as {
          pid: number;
        };
        pids.add(info.pid);
      }
      expect(pids.size).toBe(2);
    });

    // examples/chat.ts reads text frames only (it parses commands); a binary frame is echoed in the torture test.
    test("websocket: onConnect greets, onMessage goes to the room (lobby)", async () => {
      const port = await app.port("chat");
      const client = await wsClient(`ws://127.0.0.1:${port}`);
      expect(await client.next((m) => m.startsWith("welcome"))).toMatch(/^welcome, you are #\d+ on pid \d+, in lobby; /);
      client.ws.send("hello room");
      expect(await client.next((m) => m.endsWith("hello room"))).toMatch(/^\[lobby\] #\d+@\d+: hello room$/);
      client.ws.close();
      await client.closed;
    });

    test("text: newline-delimited echo, several lines in one write", async () => {
      const port = await app.port("echo");
      expect(await askLine({ port }, "ping")).toBe("echo: ping");
      const client = await streamClient({ port });
      client.write("a\nb\r\nc\n");
      expect(await client.until((t) => t.split("\n").length > 3)).toBe("echo: a\necho: b\necho: c\n");
      client.socket.end();
    });

    test("frame: length-prefixed packets, split across writes", async () => {
      const port = await app.port("frames");
      const client = await streamClient({ port });
      const packet = frame("héllo");
      client.write(packet.subarray(0, 3));
      await Bun.sleep(20); // deliberate: the two halves must reach the server as separate reads
      client.write(packet.subarray(3));
      const reply = await client.until((t) => t.length >= 4 && Buffer.from(t).readUInt32BE(0) <= Buffer.byteLength(t));
      const bytes = Buffer.from(reply);
      expect(bytes.subarray(4, bytes.readUInt32BE(0)).toString()).toMatch(/^pid \d+: héllo$/);
      client.socket.end();
    });

    test("udp: a datagram is echoed to its sender", async () => {
      expect(await udpAsk(await app.port("dns"), "who is there")).toBe("who is there");
    });

    test("unix: the JSON service answers on the socket file, from more than one process", async () => {
      const pids = new Set<number>();
      for (let i = 0; i < 30 && pids.size < 2; i++) {
        const reply = JSON.parse(await askLine({ unix: socketPath }, JSON.stringify({ path: "/ping" })));
        expect(reply.status).toBe(200);
        pids.add(reply.data.pid);
      }
      expect(pids.size).toBe(2);
      expect(JSON.parse(await askLine({ unix: socketPath }, JSON.stringify({ path: "/nope" }))).status).toBe(404);
    });

    test("stop: exit code 0, socket file removed, no worker left", async () => {
      const pids = livePids((await app.status()).processes);
      expect(pids.length).toBe(11);
      expect(await app.stop()).toBe(0);
      expect(existsSync(socketPath)).toBe(false);
      const left = await waitFor(() => pids.filter(isAlive), { until: (alive) => alive.length === 0, timeoutMs: 1000, what: "no worker left" });
      expect(left).toEqual([]);
    });
  });
}

describe("unix:// socket files", () => {
  test("a regular file at the path is refused and left as it was (exit 2, the field and the fix named)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wm-unix-"));
    try {
      const path = join(dir, "precious.txt");
      writeFileSync(path, "not a socket\n");
      writeFileSync(join(dir, "h.ts"), "export default {};");
      const workers = [{ name: "svc", listen: `unix://${path}`, handler: "./h.ts" }];
      writeFileSync(join(dir, "app.json"), JSON.stringify({ name: "u", dataDir: "data", admin: { listen: "127.0.0.1:0" }, workers }));
      const proc = Bun.spawn([...cliCommand(), "start", "--config", join(dir, "app.json")], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000); // the old code deleted the file and started serving
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      clearTimeout(killer);
      expect(code).toBe(2);
      expect((out + err).trim()).toBe(
        `E_LISTEN: workers[0].listen: ${path} exists and is not a socket (a regular file): remove or move it, or choose another unix:// path`,
      );
      expect(readFileSync(path, "utf8")).toBe("not a socket\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a stale socket is replaced; the socket is 0660 by default; a unix peer is named in the log, not 'undefined'", async () => {
    const path = join(tmpdir(), `wm-stale-${process.pid}.sock`);
    // Bound and gone without removing its file, as a killed process leaves it.
    const python = Bun.spawnSync(["python3", "-c", `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`]);
    expect(python.exitCode).toBe(0);
    expect(statSync(path).isSocket()).toBe(true);
    await using app = await AppUnderTest.start({
      workers: [{ name: "svc", listen: `unix://${path}`, protocol: "json", handler: "./h.ts" }],
      files: { "h.ts": "export default { onMessage(conn, m) { conn.send(m); } };" },
    });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    expect(await askLine({ unix: path }, '{"a":1}')).toBe('{"a":1}');
    const client = await streamClient({ unix: path });
    client.write("not json\n");
    await client.closed;
    const line = await app.waitFor(() => app.output.find((l) => l.includes("closing connection")), 5000, "the protocol error line");
    expect(line).toContain(`from unix:${path}:`);
    expect(line).not.toContain("undefined");
  });
});

test("the compiled executable exists after ensureBinary", async () => {
  await ensureBinary();
  expect(existsSync(BINARY)).toBe(true);
});
