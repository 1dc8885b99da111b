// log.format "json": a real app's foreground output and daemon log are one JSON object per line (workers' output,
// the master's own lines and supervisor events with their fields); "text" stays as it was.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogsResponse } from "../../src/admin/contract.ts";
import type { SupervisorEvent } from "../../src/master/events.ts";
import { jsonFromEvent, jsonFromPrefixed, type JsonLogRecord } from "../../src/master/json-log.ts";
import { forEachLine } from "../../src/master/line-splitter.ts";
import { cliCommand, isAlive } from "../support/app-under-test.ts";
import { waitFor } from "../support/wait.ts";

// Prints on both streams (a terminal escape included), then the first process crashes once after it serves.
const HANDLER = `
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const once = join(import.meta.dir, "crashed-once");
export default {
  onWorkerStart() {
    console.log("hello from the worker");
    console.error("trouble on stderr \\u001b[31m in red");
    if (!existsSync(once)) setTimeout(() => { writeFileSync(once, ""); process.exit(3); }, 300);
  },
  onMessage(conn, line) { conn.send(line); },
};`;

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

function appDir(format?: "json" | "text"): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "wm-jsonlog-"));
  writeFileSync(join(dir, "h.ts"), HANDLER);
  const config = join(dir, "app.json");
  const log = format ? { log: { format } } : {};
  const workers = [{ name: "echo", listen: "text://127.0.0.1:0", count: 1, handler: "./h.ts" }];
  writeFileSync(config, JSON.stringify({ name: "j", dataDir: "data", stopTimeout: 1, admin: { listen: "127.0.0.1:0" }, ...log, workers }));
  cleanup.push(() => {
    try {
      const pid = JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")).pid;
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, config };
}

/** Each line parsed on its own; a line that is not one JSON object fails with the line shown. */
function parseEach(lines: string[]): JsonLogRecord[] {
  return lines.map((line) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
    expect(typeof record === "object" && record !== null && !Array.isArray(record)).toBe(true);
    return record as JsonLogRecord;
  });
}

/** Workers' stdout and stderr, the master's own lines and a crash event, each with the fields Loki would index. */
function expectRecords(records: JsonLogRecord[], masterPid: number): void {
  for (const r of records) {
    expect(Number.isFinite(Date.parse(r.time))).toBe(true);
    expect(["info", "warn", "error"]).toContain(r.level);
    expect(["master", "worker", "supervisor"]).toContain(r.source);
    expect(typeof r.pid).toBe("number");
    expect(typeof r.msg).toBe("string");
  }
  const worker = records.find((r) => r.source === "worker" && r.msg === "hello from the worker");
  expect(worker).toMatchObject({ level: "info", group: "echo", index: 0 });
  expect(worker!.pid).not.toBe(masterPid);
  expect(records.find((r) => r.source === "worker" && r.msg.startsWith("trouble on stderr"))).toMatchObject({
    level: "error",
    msg: "trouble on stderr \u001b[31m in red",
  });
  const crash = records.find((r) => r.event === "process-exited");
  expect(crash).toMatchObject({ source: "supervisor", level: "error", group: "echo", index: 0, code: 3, expected: false });
  expect(crash!.msg).toContain("exited with code 3");
  expect(records.some((r) => r.source === "master" && r.pid === masterPid && r.msg === "stopped")).toBe(true);
}

test("foreground: every line of stdout and stderr is a JSON object; the crash event carries its fields", async () => {
  const { dir, config } = appDir("json");
  const master = Bun.spawn([...cliCommand(), "start", "--config", config], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => master.kill("SIGKILL"));
  const lines: string[] = [];
  const read = Promise.all([forEachLine(master.stdout, (l) => lines.push(l)), forEachLine(master.stderr, (l) => lines.push(l))]);
  const helloes = () => lines.filter((l) => l.includes("hello from the worker")).length;
  // The first worker, its crash, and its replacement's hello.
  await waitFor(() => helloes() >= 2 && lines.some((l) => l.includes('"process-exited"')), {
    timeoutMs: 20_000,
    what: "the crash and the restart",
    detail: () => lines.join("\n"),
  });
  // GET /api/logs keeps the text lines in either format: the worker's output and the crash sentence.
  const table = parseEach(lines).find((r) => r.msg.includes("Press Ctrl+C to stop."))!.msg;
  const adminUrl = /^admin\s+(\S+)/m.exec(table)![1]!;
  const token = readFileSync(join(dir, "data/admin.token"), "utf8").trim();
  const recent = (await (await fetch(`${adminUrl}/api/logs?n=2000`, { headers: { Authorization: `Bearer ${token}` } })).json()) as LogsResponse;
  const texts = recent.items.map((l) => `${l.source} ${l.group ?? "-"} ${l.text}`);
  expect(texts).toContain("worker echo hello from the worker");
  expect(texts).toContainEqual(expect.stringMatching(/^master - worker echo#0 \(pid \d+\) exited with code 3; restarting in \d+ ms$/));
  master.kill("SIGTERM");
  expect(await master.exited).toBe(0);
  await read;
  const records = parseEach(lines);
  expectRecords(records, master.pid);
  // The start table is one record, its rows in msg.
  expect(records.find((r) => r.source === "master" && r.msg.includes("Press Ctrl+C to stop."))?.msg).toContain("\n");
  // No raw escape reaches the terminal: JSON escapes it.
  expect(lines.join("\n")).not.toContain("\u001b");
}, 60_000);

test("daemon: workerman.log is one JSON object per line", async () => {
  const { dir, config } = appDir("json");
  const cli = (...args: string[]) => Bun.spawn([...cliCommand(), ...args], { stdout: "pipe", stderr: "pipe" }).exited;
  expect(await cli("start", "-d", "--config", config)).toBe(0);
  const logPath = join(dir, "data/workerman.log");
  const text = () => readFileSync(logPath, "utf8");
  await waitFor(() => text().split("hello from the worker").length > 2 && text().includes('"process-exited"'), {
    timeoutMs: 20_000,
    what: "the crash and the restart in the log",
    detail: text,
  });
  const masterPid = JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")).pid;
  expect(await cli("stop", "--config", config)).toBe(0);
  expectRecords(parseEach(text().trimEnd().split("\n")), masterPid);
  // `logs` reads the JSON log as it reads the text one.
  const logs = Bun.spawn([...cliCommand(), "logs", "--group", "echo", "-n", "100", "--config", config], { stdout: "pipe", stderr: "pipe" });
  const [printed, code] = await Promise.all([new Response(logs.stdout).text(), logs.exited]);
  expect(code).toBe(0);
  expect(printed).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[echo#0 \d+\] hello from the worker$/m);
  expect(printed).not.toContain('{"time"');
}, 60_000);

test("text (the default) is unchanged: prefixed lines on the terminal, the crash as a sentence", async () => {
  const { config } = appDir();
  const master = Bun.spawn([...cliCommand(), "start", "--config", config], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  cleanup.push(() => master.kill("SIGKILL"));
  const lines: string[] = [];
  const read = Promise.all([forEachLine(master.stdout, (l) => lines.push(l)), forEachLine(master.stderr, (l) => lines.push(l))]);
  await waitFor(() => lines.filter((l) => l.includes("hello from the worker")).length >= 2, {
    timeoutMs: 20_000,
    what: "the restart",
    detail: () => lines.join("\n"),
  });
  master.kill("SIGTERM");
  expect(await master.exited).toBe(0);
  await read;
  expect(lines).toContainEqual(expect.stringMatching(/^\[echo#0 \d+\] hello from the worker$/));
  expect(lines).toContainEqual(expect.stringMatching(/^\[echo#0 \d+\] trouble on stderr \\x1B\[31m in red$/));
  expect(lines).toContainEqual(expect.stringMatching(/^worker echo#0 \(pid \d+\) exited with code 3; restarting in \d+ ms$/));
  expect(lines).toContain("stopped");
  expect(lines.some((l) => l.startsWith("{"))).toBe(false);
}, 60_000);

test("a JSON line stays one inert line: DEL, C1 and line separators escaped; the fixed fields win over an event's", () => {
  const line = jsonFromPrefixed("[web#2 77] a\u009b2Jb\u2028c\u007f", "warn", Date.UTC(2026, 0, 1));
  expect(line).toBe('{"time":"2026-01-01T00:00:00.000Z","level":"warn","source":"worker","pid":77,"group":"web","index":2,"msg":"a\\u009b2Jb\\u2028c\\u007f"}');
  expect(JSON.parse(line).msg).toBe("a\u009b2Jb\u2028c\u007f");
  expect(JSON.parse(jsonFromPrefixed("no prefix", "info"))).toMatchObject({ source: "master", pid: process.pid, msg: "no prefix" });
  const event = { type: "retry", group: "web", slots: 2, msg: "not mine" } as unknown as SupervisorEvent;
  expect(JSON.parse(jsonFromEvent(event, "info", "retry web: 2 waiting process(es) started now"))).toMatchObject({
    source: "supervisor",
    pid: process.pid,
    group: "web",
    msg: "retry web: 2 waiting process(es) started now",
    event: "retry",
    slots: 2,
  });
});
