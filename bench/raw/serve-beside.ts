// Raw-Bun cold-start floor of a master/worker design: a parent that spawns itself once, the child serves (`serve-beside <port>`).
// Compiled like ours, it pays what any supervisor of separate worker processes pays: two runtime boots, one after the other.
const [role, portArg] = process.argv.slice(2);

if (role === "child") {
  Bun.serve({ hostname: "127.0.0.1", port: Number(portArg), reusePort: true, fetch: () => new Response("Hello World") });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true });
} else {
  const child = Bun.spawn([process.execPath, "child", role ?? ""], { stdio: ["ignore", "inherit", "inherit"], ipc: () => {}, serialization: "json" });
  process.on("SIGTERM", () => {
    child.kill("SIGTERM");
    process.exit(0);
  });
}
