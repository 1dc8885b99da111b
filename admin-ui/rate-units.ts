// What a group's rate counts, named from its listen URL's scheme: http answers requests, streams carry messages, udp datagrams.

export type RateUnit = "req/s" | "msg/s" | "datagrams/s" | "/s";

const BY_SCHEME: Record<string, RateUnit> = {
  http: "req/s",
  https: "req/s",
  websocket: "msg/s",
  ws: "msg/s",
  wss: "msg/s",
  tcp: "msg/s",
  text: "msg/s",
  frame: "msg/s",
  json: "msg/s",
  unix: "msg/s",
  udp: "datagrams/s",
};

/** "/s" for a scheme this dashboard does not know (a newer master): a count per second, never passed off as requests. */
export function rateUnit(listen: string): RateUnit {
  const scheme = /^([a-z]+):\/\//i.exec(listen)?.[1]?.toLowerCase() ?? "";
  return BY_SCHEME[scheme] ?? "/s";
}

const NAMES: Record<RateUnit, string> = { "req/s": "Requests/s", "msg/s": "Messages/s", "datagrams/s": "Datagrams/s", "/s": "Events/s" };

/** A rate chart's title: the one unit its groups share, or "Rate" with every unit it mixes. */
export function rateTitle(units: readonly RateUnit[]): string {
  const distinct = [...new Set(units)];
  if (distinct.length === 1) return NAMES[distinct[0]!];
  return distinct.length === 0 ? "Rate" : `Rate (${distinct.join(", ")})`;
}
