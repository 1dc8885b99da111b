// The servers the benchmark compares, named as the groups in bench/app/app.json and the kinds bench/raw/ serves.
export const KINDS = ["http", "routes", "ws", "text", "frame", "json", "udp", "realistic"] as const;
export type Kind = (typeof KINDS)[number];

export const LABELS: Record<Kind, string> = {
  http: "HTTP hello (fetch)",
  routes: "HTTP hello (routes)",
  ws: "WebSocket echo",
  text: "TCP text echo",
  frame: "TCP frame echo",
  json: "TCP json echo",
  udp: "UDP echo",
  realistic: "HTTP JSON POST, Hono router (fetch)",
};
