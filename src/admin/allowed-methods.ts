// Which methods a path is served for, read from the app's own route table, so a wrong method answers 405 with Allow.

interface RouteEntry {
  method: string;
  path: string;
}

/** `/api/timers/:pid/:id` and `/:asset{regex}` as a RegExp of the whole path. */
function pattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((part) => {
      const param = /^:\w+(?:\{(.+)\})?$/.exec(part);
      if (param) return param[1] ? `(?:${param[1]})` : "[^/]+";
      return part === "*" ? ".*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}$`);
}

/** Built once from the routes (middleware, registered for ALL methods, is not a route). */
export function allowedMethods(routes: readonly RouteEntry[]): (path: string) => string[] {
  const table = routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, match: pattern(r.path) }));
  return (path) => {
    const methods = new Set(table.filter((r) => r.match.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
