// types/workerman-app.d.ts.txt (what `init` writes as types/workerman-app.d.ts) must say what src/public-api.ts does: tsc compares them type by type.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../support/app-under-test.ts";

const dir = mkdtempSync(join(tmpdir(), "wm-decl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each name is checked both ways: a handler typed with either set of types is accepted by the other. */
const SAME = [
  "Connection",
  "OutboundConnection",
  "ConnectOptions",
  "Worker",
  "Timers",
  "TimerOptions",
  "Metrics",
  "Protocol<string>",
  "ProtocolConnection",
  "ListenAddress",
  "WorkerGroupConfig",
  "SseMessage",
  "SseOptions",
  "SseStream",
  "Channel",
  "ConnectionRef",
  "SendOptions",
  "SendAllOptions",
  "GroupMessage",
  "GroupPosition",
  "RecoverResult",
  "GroupHistory",
  "Shared",
  "SharedSetOptions",
];
const VALUES = ["sse", "AppError", "VERSION", "worker"];

test("every public type and value of the declarations matches src", async () => {
  const check = [
    `import type * as D from "workerman-app";`,
    `import type * as S from "${join(REPO, "src/public-api.ts")}";`,
    `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;`,
    ...SAME.map((name, i) => {
      const [base, arg] = name.split("<");
      const t = (ns: string) => `${ns}.${base}${arg ? `<${arg}` : ""}`;
      return `export const t${i}: Same<${t("D")}, ${t("S")}> = true; // ${name}`;
    }),
    // App: the same callbacks both ways; `routes` one way (Bun's own route type also takes files and HTML bundles).
    ...["string", "Uint8Array", "any"].flatMap((m) => [
      `export const app_${m}: Same<Omit<D.App<${m}>, "routes">, Omit<S.App<${m}>, "routes">> = true;`,
      `export const routes_${m}: D.App<${m}> extends S.App<${m}> ? true : false = true;`,
    ]),
    ...VALUES.map((name) => `export const v_${name}: Same<typeof D.${name}, typeof S.${name}> = true;`),
    // Instances of the error class too (its fields), not only the constructor's shape.
    `export const e: Same<InstanceType<typeof D.AppError>, InstanceType<typeof S.AppError>> = true;`,
  ].join("\n");
  writeFileSync(join(dir, "check.ts"), check + "\n");
  copyFileSync(join(REPO, "types/workerman-app.d.ts.txt"), join(dir, "workerman-app.d.ts"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(REPO, "tsconfig.json"),
      compilerOptions: { paths: {}, typeRoots: [join(REPO, "node_modules/@types")] },
      include: ["check.ts", "workerman-app.d.ts"],
    }),
  );
  const tsc = Bun.spawn([join(REPO, "node_modules/.bin/tsc"), "--noEmit", "-p", dir], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(tsc.stdout).text(), tsc.exited]);
  expect(out).toBe("");
  expect(code).toBe(0);
}, 60_000);
