// The hook where the dashboard is served at /: today a placeholder page with a login form; the real UI replaces mountDashboard's body.
import type { Hono } from "hono";
import type { AdminEnv } from "./context.ts";

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>workerman-app admin</title><link rel="stylesheet" href="/placeholder.css"></head>
<body>
<h1>workerman-app admin</h1>
<p>The dashboard is not built yet. The JSON API is: <code>/api/status</code>, <code>/api/connections</code>, <code>/api/events</code>, ... (see the README).</p>
<form id="login"><label>Admin token <input id="token" type="password" autocomplete="current-password" required></label> <button>Log in</button></form>
<p id="message"></p>
<pre id="status"></pre>
<script src="/placeholder.js"></script>
</body>
</html>
`;

// Served as a file: the Content-Security-Policy allows scripts from this origin only, never inline.
const SCRIPT = `
const message = document.getElementById("message");
async function showStatus() {
  const response = await fetch("/api/status");
  if (response.ok) document.getElementById("status").textContent = JSON.stringify(await response.json(), null, 2);
  return response.ok;
}
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: document.getElementById("token").value }) });
  message.textContent = response.ok ? "logged in" : (await response.json()).error;
  if (response.ok) showStatus();
});
showStatus();
`;

const STYLE = "body { font: 14px system-ui, sans-serif; margin: 2rem; } pre { background: #f4f4f4; padding: 1rem; }";

/**
 * Everything here is public (a page must load before its user can log in), so it must hold no data: the page
 * reads only the authenticated JSON API and SSE feed, like the CLI does.
 */
export function mountDashboard(app: Hono<AdminEnv>): void {
  app.get("/", (c) => c.html(PAGE));
  app.get("/placeholder.js", (c) => c.body(SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/placeholder.css", (c) => c.body(STYLE, 200, { "Content-Type": "text/css; charset=utf-8" }));
}
