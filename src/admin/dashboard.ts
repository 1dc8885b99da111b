// Serves the dashboard (admin-ui/) at / of the admin plane: bundled into the executable, or bundled in memory when run from source.
import type { Context } from "hono";
import { fileURLToPath } from "node:url";
import page from "../../admin-ui/index.html";
import type { AdminEnv } from "./context.ts";
import { route, type RouteSpec } from "./route-spec.ts";
import { AppError } from "../errors.ts";

interface Asset {
  body: Blob;
  type: string;
  etag: string;
}

/** By URL path: "/" for the page, "/chunk-….js" etc. for what it links (the names carry a content hash). */
type Assets = Map<string, Asset>;

/** What `bun build --compile` leaves on an HTML import: the bundled files inside the executable. From source it has none. */
interface CompiledBundle {
  index?: string;
  files?: { path: string; loader: string; headers: Record<string, string> }[];
}

const INDEX_HTML = fileURLToPath(new URL("../../admin-ui/index.html", import.meta.url));

function fromExecutable(bundle: CompiledBundle): Assets | null {
  if (!bundle.files?.length) return null;
  const assets: Assets = new Map();
  for (const file of bundle.files) {
    const asset = { body: Bun.file(file.path), type: file.headers["content-type"] ?? "application/octet-stream", etag: file.headers.etag ?? "" };
    const name = file.path.slice(file.path.lastIndexOf("/"));
    assets.set(file.path === bundle.index ? "/" : name, asset);
  }
  return assets;
}

/** From source there is no bundle yet: Bun bundles admin-ui/ in memory (tens of milliseconds) on first use. */
async function fromSource(): Promise<Assets> {
  // splitting: the charts library becomes its own chunk, fetched when the Charts view first opens.
  const result = await Bun.build({ entrypoints: [INDEX_HTML], target: "browser", minify: true, splitting: true });
  if (!result.success) throw new AggregateError(result.logs, "the dashboard (admin-ui/) does not bundle");
  const assets: Assets = new Map();
  for (const output of result.outputs) {
    const name = output.path.replace(/^\.\//, "/");
    assets.set(name.endsWith(".html") ? "/" : name, { body: output, type: output.type, etag: output.hash ?? "" });
  }
  return assets;
}

let loading: Promise<Assets> | undefined;

/** Once per process, shared by every admin app (tests build many). */
export function dashboardAssets(): Promise<Assets> {
  loading ??= Promise.resolve(fromExecutable(page as unknown as CompiledBundle) ?? fromSource());
  return loading;
}

/**
 * Everything here is public (a page must load before its user can log in), so it holds no data: the page reads
 * only the authenticated JSON API and SSE feed. Scripts and styles are files from this origin, so the strict
 * Content-Security-Policy (securityHeaders) needs no inline exceptions.
 */
export function dashboardRoutes(): RouteSpec[] {
  // Start bundling now (from source), so the first page view does not wait for it.
  dashboardAssets().catch((err) => console.error(`admin: dashboard unavailable: ${(err as Error).message}`));
  const serve = async (c: Context<AdminEnv>, path: string) => {
    const asset = (await dashboardAssets()).get(path);
    if (!asset) throw new AppError("E_NOT_FOUND", `no route GET ${path}`);
    const etag = `"${asset.etag}"`;
    // The page itself is revalidated each time (it names the current chunks); chunks never change under a name.
    const cache = path === "/" ? "no-cache" : "public, max-age=31536000, immutable";
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, { ETag: etag, "Cache-Control": cache });
    return c.body(await asset.body.arrayBuffer(), 200, { "Content-Type": asset.type, ETag: etag, "Cache-Control": cache });
  };
  const page = route({
    method: "GET",
    path: "/",
    summary: "The dashboard's page (public, holds no data: it reads the authenticated API)",
    auth: "none",
    ok: { status: 200, description: "HTML", type: "text/html" },
    handler: (c) => serve(c, "/"),
  });
  const asset = route({
    method: "GET",
    path: "/:asset{[A-Za-z0-9_.-]+\\.(?:js|css|svg|map)}",
    summary: "The dashboard's scripts, styles and icons (names carry a content hash)",
    auth: "none",
    ok: { status: 200, description: "The file", type: "application/octet-stream" },
    refuses: ["E_NOT_FOUND"],
    handler: (c) => serve(c, `/${c.req.param("asset")}`),
  });
  return [page, asset];
}
