// examples/iot-gateway end to end: readings sent to the text:// group are read back by the http group, whichever processes took them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { askLine } from "../support/clients.ts";

const EXAMPLE = join(REPO, "examples/iot-gateway");

describe("examples/iot-gateway", () => {
  let app: AppUnderTest;
  let ingest: number;
  let api: number;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "ingest", listen: "text://127.0.0.1:0", count: 2, handler: join(EXAMPLE, "ingest.ts") },
        { name: "api", listen: "http://127.0.0.1:0", count: 2, handler: join(EXAMPLE, "api.ts") },
      ],
    });
    [ingest, api] = await Promise.all([app.port("ingest"), app.port("api")]);
  }, 30_000);

  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  test("forty devices reporting at once over separate connections: every last reading listed once, the count exact", async () => {
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) => askLine({ port: ingest }, `dev-${i % 40} ${20 + (i >= 40 ? 1 : 0) + (i % 40) / 10} 40`)),
    );
    expect(answers.every((a) => a.startsWith("OK "))).toBe(true);
    const { devices, readingsTaken } = (await (await fetch(`http://127.0.0.1:${api}/devices`)).json()) as {
      devices: { device: string; celsius: number }[];
      readingsTaken: number;
    };
    expect(readingsTaken).toBe(80);
    expect(devices.map((d) => d.device).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `dev-${i}`).sort());
    const one = (await (await fetch(`http://127.0.0.1:${api}/devices/dev-7`)).json()) as { celsius: number; humidity: number };
    expect([20.7, 21.7]).toContain(one.celsius);
    expect(one.humidity).toBe(40);
    expect((await fetch(`http://127.0.0.1:${api}/devices/nobody`)).status).toBe(404);
    expect(await askLine({ port: ingest }, "dev-1 warm")).toStartWith("ERR expected");
  }, 30_000);
});
