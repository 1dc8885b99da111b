// Headless Debian Chromium driven by playwright-core for the dashboard tests: a fresh profile, no background network, removed on dispose.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { AppSpec } from "./app-under-test.ts";

/** Debian's chromium package; playwright-core's own browser download is never used. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface BrowserSession extends AsyncDisposable {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests the page saw: a CSP violation shows up here. */
  problems: string[];
}

export async function openBrowser(options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), "wm-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
      colorScheme: options.colorScheme ?? "light",
      timeout: 20_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return {
    context,
    page,
    problems,
    async [Symbol.asyncDispose]() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The app the dashboard tests run: two http, two websocket (each with a timer), one text process that is not reloadable. */
export const DASHBOARD_APP: AppSpec = {
  workers: [
    { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
    { name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: "./chat.ts" },
    { name: "echo", listen: "text://127.0.0.1:0", handler: "./echo.ts", reloadable: false },
  ],
  files: {
    "web.ts": `export default { fetch: () => new Response("pid " + process.pid) };`,
    "chat.ts": `export default {
      onWorkerStart(worker) { worker.timers.add(30, () => {}); },
      onConnect(conn) { conn.send("hello #" + conn.id + " pid " + process.pid); },
      onMessage(conn, data) { conn.send(data); },
    };`,
    "echo.ts": `export default { onMessage(conn, line) { conn.send(line); } };`,
  },
};

export async function logIn(page: Page, token: string): Promise<void> {
  await page.locator("#token").fill(token);
  await page.click("button[type=submit]");
  await page.locator("[data-table=workers] tbody tr").first().waitFor({ timeout: 10_000 });
}

export interface ShownWorker {
  group: string;
  pid: number;
  generation: number;
  state: string;
}

/** The workers table's process rows as the operator reads them (cell text, not data attributes); the groups' total rows left out. */
export function workerRows(page: Page): Promise<ShownWorker[]> {
  return page.locator("[data-table=workers] tbody tr:not(.group-total)").evaluateAll((rows) =>
    rows.map((row) => {
      const cells = Array.from(row.querySelectorAll("td"), (td) => td.textContent?.trim() ?? "");
      return { group: cells[0]!, pid: Number(cells[1]), generation: Number(cells[2]), state: cells[3]! };
    }),
  );
}

export async function shownPids(page: Page): Promise<number[]> {
  return (await workerRows(page))
    .filter((r) => r.state !== "exited")
    .map((r) => r.pid)
    .sort();
}

/** Pixels of the charts' canvases painted in one of the series colours (uPlot draws on canvas, so this is what is seen). */
export function liveChartPixels(page: Page): Promise<number> {
  return page.locator("figure.chart canvas").evaluateAll((canvases) => {
    const palette = [
      [47, 111, 222],
      [224, 112, 42],
      [42, 157, 92],
    ];
    let count = 0;
    for (const canvas of canvases as HTMLCanvasElement[]) {
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (palette.some(([r, g, b]) => Math.abs(data[i]! - r!) < 24 && Math.abs(data[i + 1]! - g!) < 24 && Math.abs(data[i + 2]! - b!) < 24)) count++;
      }
    }
    return count;
  });
}

/** Interactive elements that are rendered (not display:none, not visually hidden) but reach past either side of the viewport; and the page itself scrolling sideways. */
export function offScreen(page: Page, width: number): Promise<string[]> {
  return page.evaluate((width) => {
    const out: string[] = [];
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth > width) out.push(`the page scrolls sideways to ${pageWidth} px`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("button, a, input, select, summary"))) {
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue;
      if (box.left < -0.5 || box.right > width + 0.5) {
        out.push(
          `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 40)}" ${Math.round(box.left)}..${Math.round(box.right)}`,
        );
      }
    }
    return out;
  }, width);
}
