// `init` writes a project that tsc checks on its own (and that runs), from source and from the compiled executable.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest, cliCommand, REPO, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { wsClient } from "../support/clients.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wm-init-"));
  dirs.push(dir);
  return dir;
}

async function run(argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

async function init(mode: Mode): Promise<string> {
  const parent = tempDir();
  const { code, out } = await run([...cliCommand(mode), "init", "my-app"], parent);
  expect(out).toContain("wrote app.json");
  expect(code).toBe(0);
  return join(parent, "my-app");
}

describe("init", () => {
  // tsc takes seconds on a busy machine: one clean run and one run over every mistake, on the source's project;
  // the executable's project must then be the same bytes.
  test("npm install + npm run typecheck pass in the new folder (Bun's globals too); a mistyped callback and a misused message type fail it", async () => {
    const dir = await init("source");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const ours = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(pkg.devDependencies).toEqual({ typescript: ours.devDependencies.typescript, "@types/bun": ours.dependencies["@types/bun"] });
    // From the registry, pinned; the repository's own `npm ci` has put both versions in npm's cache already.
    const install = await run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline"], dir);
    expect(install.code).toBe(0);
    writeFileSync(
      join(dir, "globals.ts"),
      `import type { App } from "workerman-app";\nexport default { fetch: () => new Response(\`\${process.pid} \${Bun.version}\`) } satisfies App;\n`,
    );
    const order = `import type { App } from "workerman-app";\ninterface Order { id: number; items: string[] }\n`;
    writeFileSync(
      join(dir, "json.ts"),
      `${order}export default { onMessage(conn, o) { conn.send(o.items.join(",") + o.id.toFixed(0)); } } satisfies App<Order>;\n`,
    );
    const ok = await run(["npm", "run", "--silent", "typecheck"], dir);
    expect(ok.out).toBe("");
    expect(ok.code).toBe(0);

    const chat = readFileSync(join(dir, "chat.ts"), "utf8");
    expect(chat).toContain("onMessage(conn, text)");
    writeFileSync(join(dir, "chat.ts"), chat.replace("onMessage(conn, text)", "onMesage(conn, text)"));
    writeFileSync(join(dir, "json.ts"), `${order}export default { onMessage(conn, o) { conn.send(o.id.toUpperCase()); } } satisfies App<Order>;\n`);
    const bad = await run(["npm", "run", "--silent", "typecheck"], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("chat.ts");
    expect(bad.out).toContain("'onMesage' does not exist in type 'App<string>'");
    expect(bad.out).toContain("json.ts");
    expect(bad.out).toContain("Property 'toUpperCase' does not exist on type 'number'");
  }, 240_000);

  test("the compiled executable writes the same project (its declarations are embedded)", async () => {
    await ensureBinary();
    const [fromSource, fromBinary] = [await init("source"), await init("compiled")];
    for (const file of ["app.json", "web.ts", "chat.ts", "package.json", "tsconfig.json", "types/workerman-app.d.ts", ".gitignore"]) {
      expect(readFileSync(join(fromBinary, file), "utf8")).toBe(readFileSync(join(fromSource, file), "utf8"));
    }
    expect(readFileSync(join(fromBinary, "types/workerman-app.d.ts"), "utf8")).toBe(readFileSync(join(REPO, "types/workerman-app.d.ts.txt"), "utf8"));
  }, 120_000);

  test("refuses to overwrite: a folder with any of its files is left as it was", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tsconfig.json"), "{ }");
    const { code, out } = await run([...cliCommand(), "init"], dir);
    expect(code).toBe(2);
    expect(out).toContain("already has tsconfig.json");
    expect(readFileSync(join(dir, "tsconfig.json"), "utf8")).toBe("{ }");
    expect(() => readFileSync(join(dir, "app.json"))).toThrow();
  });

  test("refuses an existing link at any path it writes, even a dangling one, and creates nothing through it", async () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    symlinkSync(join(elsewhere, "app.json"), join(dir, "app.json"));
    symlinkSync(join(elsewhere, "types"), join(dir, "types"));
    const { code, out } = await run([...cliCommand(), "init"], dir);
    expect(code).toBe(2);
    expect(out).toContain("symbolic link at app.json, types");
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(["app.json", "types"]);
  });

  test("the next steps name the executable that ran init by its absolute path", async () => {
    await ensureBinary();
    const parent = tempDir();
    const { out } = await run([...cliCommand("compiled"), "init", "p"], parent);
    expect(out).toContain(`${join(REPO, "workerman-app")} start`);
    expect(out).toContain("npm run typecheck");
  });

  test("the project runs: two chat clients on different processes share a room", async () => {
    const dir = await init("source");
    const config = JSON.parse(readFileSync(join(dir, "app.json"), "utf8"));
    const files = Object.fromEntries(["web.ts", "chat.ts"].map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const workers = config.workers.map((w: { listen: string }) => ({ ...w, listen: w.listen.replace(/:\d+$/, ":0") }));
    await using app = await AppUnderTest.start({ workers, files });
    const hello = await (await fetch(`http://127.0.0.1:${await app.port("web")}/`)).text();
    // The fetch handler reaches its worker through the module's `worker` export: the pid is one of the group's.
    const pid = Number(/pid (\d+)/.exec(hello)?.[1]);
    expect(hello).toContain("hello from workerman-app (web#");
    expect(await app.pids("web")).toContain(pid);
    const url = `ws://127.0.0.1:${await app.port("chat")}`;
    const [a, b] = await twoClientsOnTwoPids(url);
    a.ws.send(JSON.stringify({ join: "lobby" }));
    await a.next((m) => m.includes("joined"));
    b.ws.send(JSON.stringify({ join: "lobby" }));
    await b.next((m) => m.includes("joined"));
    b.ws.send(JSON.stringify({ room: "lobby", say: "hi from b" }));
    expect(JSON.parse(await a.next((m) => m.includes("say")))).toMatchObject({ room: "lobby", say: "hi from b" });
    a.ws.close();
    b.ws.close();
  }, 60_000);
});

/** Opens clients until two have been greeted by different pids (the kernel spreads connections across processes). */
export async function twoClientsOnTwoPids(url: string, pidOf = (hello: string) => JSON.parse(hello).hello.split("@")[1]) {
  const byPid = new Map<string, Awaited<ReturnType<typeof wsClient>>>();
  for (let i = 0; byPid.size < 2 && i < 50; i++) {
    const client = await wsClient(url);
    const pid = pidOf(await client.next());
    if (byPid.has(pid)) client.ws.close();
    else byPid.set(pid, client);
  }
  if (byPid.size < 2) throw new Error("every client landed on the same process");
  return [...byPid.values()] as [Awaited<ReturnType<typeof wsClient>>, Awaited<ReturnType<typeof wsClient>>];
}
