// bin/workerman-app (npm's bin): the compiled executable when built, src/cli.ts on the pinned bun otherwise, in one process.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { REPO } from "../support/app-under-test.ts";

const root = mkdtempSync(join(tmpdir(), "wm-launcher-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "bin"));
copyFileSync(join(REPO, "bin/workerman-app"), join(root, "bin/workerman-app"));
for (const name of ["src", "admin-ui", "types", "node_modules", "package.json"]) symlinkSync(join(REPO, name), join(root, name));

async function run(argv: string[], cwd = root): Promise<{ code: number; out: string; pid: number }> {
  const proc = Bun.spawn(argv, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, PATH: "/usr/bin:/bin" } });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err, pid: proc.pid };
}

test("npx workerman-app --version in the repository", async () => {
  const { code, out } = await run(["npx", "--no-install", "workerman-app", "--version"], REPO);
  expect(out.trim()).toBe(VERSION);
  expect(code).toBe(0);
}, 60_000);

test("without a build it runs src/cli.ts with node_modules' bun (no bun on PATH), also through a symlink", async () => {
  expect(await run([join(root, "bin/workerman-app"), "--version"])).toMatchObject({ code: 0, out: `${VERSION}\n` });
  symlinkSync(join(root, "bin/workerman-app"), join(root, "linked"));
  expect((await run([join(root, "linked"), "--version"], tmpdir())).out).toBe(`${VERSION}\n`);
  const usage = await run([join(root, "bin/workerman-app"), "statsu"]);
  expect(usage.code).toBe(2);
});

test("with a build it execs ./workerman-app with the same arguments, in the same process", async () => {
  const fake = join(root, "workerman-app");
  writeFileSync(fake, '#!/bin/sh\necho "compiled $$ $*"\nexit 7\n');
  chmodSync(fake, 0o755);
  try {
    const { code, out, pid } = await run([join(root, "bin/workerman-app"), "status", "--json"]);
    expect(out).toBe(`compiled ${pid} status --json\n`);
    expect(code).toBe(7);
  } finally {
    rmSync(fake);
  }
});

test("a build older than the sources is passed over: src/cli.ts runs", async () => {
  const fake = join(root, "workerman-app");
  writeFileSync(fake, '#!/bin/sh\necho "stale build"\n');
  chmodSync(fake, 0o755);
  utimesSync(fake, new Date("2000-01-01"), new Date("2000-01-01"));
  try {
    expect((await run([join(root, "bin/workerman-app"), "--version"])).out).toBe(`${VERSION}\n`);
  } finally {
    rmSync(fake);
  }
});
