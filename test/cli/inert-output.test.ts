// A client's bytes that a handler logs reach the operator's terminal and the log file escaped, and the JSON API exact.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogsResponse } from "../../src/admin/contract.ts";
import { inertText } from "../../src/master/inert-text.ts";
import { LogFile } from "../../src/master/log-file.ts";
import { formatLogLine } from "../../src/master/log-lines.ts";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";

const HOSTILE = "\x1b]0;pwned\x07\x1b[2J\rfake line\x9b1m";
const ESCAPED = "\\x1B]0;pwned\\x07\\x1B[2J\\x0Dfake line\\x9B1m";

test("control characters become \\xHH; tabs, backslashes and unicode stay; escaping twice changes nothing", () => {
  expect(inertText(HOSTILE)).toBe(ESCAPED);
  expect(inertText("a\tb \\x41 é ✓")).toBe("a\tb \\x41 é ✓");
  expect(inertText(inertText(HOSTILE))).toBe(ESCAPED);
  expect(inertText("two\nlines")).toBe("two\\x0Alines");
});

test("the log file and `logs` print escaped text: one line per record, no raw escape", () => {
  const dir = mkdtempSync(join(tmpdir(), "wm-inert-"));
  try {
    const log = new LogFile({ path: join(dir, "workerman.log"), maxBytes: 1 << 20, keep: 1 });
    log.write(`[web#0 12] got ${HOSTILE}\nforged [master 1] line`);
    const text = readFileSync(join(dir, "workerman.log"), "utf8");
    expect(text.split("\n").filter(Boolean)).toHaveLength(1);
    expect(text).toContain(`got ${ESCAPED}\\x0Aforged`);
    expect(text).not.toMatch(/[\x1b\x07\r\x9b]/);
    expect(formatLogLine({ at: 1, source: "worker", pid: 12, group: "web", index: 0, text: HOSTILE })).toEndWith(ESCAPED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a foreground master prints a handler's hostile line escaped; /api/logs keeps it exact", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "echo", listen: "text://127.0.0.1:0", handler: "./echo.ts" }],
    files: { "echo.ts": `export default { onMessage(conn, data) { console.log("got " + data); conn.send("ok"); } };` },
  });
  const port = await app.port("echo");
  const { promise, resolve } = Promise.withResolvers<void>();
  const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data: () => resolve() } });
  socket.write(`${HOSTILE.replace("\r", "")}\n`);
  await promise;
  socket.end();
  const printed = await app.waitFor(() => app.output.find((line) => line.includes("got ")), 5000, "the handler's line on the master's output");
  expect(printed).toContain("\\x1B]0;pwned\\x07\\x1B[2J");
  expect(app.output.join("\n")).not.toMatch(/[\x1b\x07\x9b]/);
  const logs = await app.api<LogsResponse>("/api/logs?group=echo");
  expect(logs.items.map((l) => l.text)).toContain(`got ${HOSTILE.replace("\r", "")}`);
  const cli = Bun.spawnSync([...cliCommand(), "logs", "--config", app.configPath, "--group", "echo"]);
  const cliText = cli.stdout.toString();
  expect(cliText).toContain("\\x1B]0;pwned");
  expect(cliText).not.toMatch(/[\x1b\x07\x9b]/);
});
