// Headless Debian Chromium driven by playwright-core for the dashboard tests: a fresh profile, no background network, removed on dispose.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

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
