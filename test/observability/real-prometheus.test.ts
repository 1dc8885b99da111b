// Debian's prometheus scrapes the admin plane with examples/prometheus.yml (token from the file, 1 s interval) and answers the p99 query.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { freePort } from "../support/worker-under-test.ts";

const PROMETHEUS = Bun.which("prometheus");
const P99 = "histogram_quantile(0.99, sum by (le) (rate(workerman_http_request_duration_seconds_bucket[30s])))";

/** The example config, pointed at this test's admin plane and token file, scraping every second. */
function configFor(app: AppUnderTest): string {
  const example = readFileSync(join(REPO, "examples/prometheus.yml"), "utf8");
  const target = new URL(app.adminUrl).host;
  const replaced = example
    .replace(/scrape_interval: 5s/g, "scrape_interval: 1s")
    .replace(/credentials_file: .*/, `credentials_file: ${join(app.dir, "data", "admin.token")}`)
    .replace(/targets: \[.*\]/, `targets: ["${target}"]`);
  if (replaced.includes("/srv/app") || !replaced.includes(target)) throw new Error(`examples/prometheus.yml changed shape:\n${replaced}`);
  return replaced;
}

async function query(base: string, expr: string): Promise<{ value: [number, string] }[]> {
  const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
    status: string;
    data: { result: { value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe.skipIf(!PROMETHEUS)("a real Prometheus scrapes /metrics", () => {
  let app: AppUnderTest;
  let prometheus: Subprocess<"ignore", "pipe", "pipe"> | undefined;
  let base = "";
  let traffic = true;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
      files: { "web.ts": `export default { fetch: () => Bun.sleep(2).then(() => new Response("ok")) };` },
    });
    mkdirSync(join(app.dir, "prometheus"));
    const configFile = join(app.dir, "prometheus", "prometheus.yml");
    writeFileSync(configFile, configFor(app));
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = Bun.spawn(
      [PROMETHEUS!, `--config.file=${configFile}`, `--storage.tsdb.path=${join(app.dir, "prometheus", "data")}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
  }, 30_000);
  afterAll(async () => {
    traffic = false;
    if (prometheus) {
      prometheus.kill("SIGKILL");
      await prometheus.exited;
    }
    await app?.[Symbol.asyncDispose]();
  });

  test("the target is up with the token from the file, and the p99 query answers a finite number", async () => {
    const web = `http://127.0.0.1:${await app.port("web")}`;
    // Steady traffic while Prometheus takes its samples: rate() needs two of them with requests between.
    const drive = (async () => {
      while (traffic) await Promise.all(Array.from({ length: 8 }, () => fetch(web).then((r) => r.text())));
    })();
    try {
      const up = await app.waitFor(
        async () => {
          const result = await query(base, 'up{job="workerman-app"}').catch(() => []);
          return result[0]?.value[1] === "1" ? result : undefined;
        },
        20_000,
        "the workerman-app target up in Prometheus",
      );
      expect(up.length).toBe(1);
      const p99 = await app.waitFor(
        async () => {
          const value = Number((await query(base, P99))[0]?.value[1]);
          return Number.isFinite(value) ? value : undefined;
        },
        20_000,
        `a finite answer to ${P99}`,
      );
      // A 2 ms handler: p99 past its sleep, and well under a second even on a busy machine.
      expect(p99).toBeGreaterThan(0.001);
      expect(p99).toBeLessThan(1);
    } finally {
      traffic = false;
      await drive;
    }
  }, 60_000);
});

if (!PROMETHEUS) console.log("skipped: the prometheus binary is not installed (Debian: apt-get install prometheus; .ci/run installs it)");
