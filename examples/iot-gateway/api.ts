// IoT gateway, reader side: an HTTP group that answers each device's last reading, whichever ingest process took it.
import { worker, type App } from "workerman-app";
import { lastReadings, readingKey, type Reading } from "./devices.ts";

async function answer(url: URL): Promise<Response> {
  if (url.pathname === "/devices") {
    const [readings, total] = await Promise.all([lastReadings(worker.shared), worker.shared.get<number>("readings")]);
    return Response.json({ devices: readings, readingsTaken: total ?? 0 });
  }
  const one = /^\/devices\/([^/]+)$/.exec(url.pathname);
  if (one) {
    const reading = await worker.shared.get<Reading>(readingKey(decodeURIComponent(one[1]!)));
    return reading ? Response.json(reading) : Response.json({ error: "no reading from this device in the last 5 minutes" }, { status: 404 });
  }
  return new Response("GET /devices or /devices/<id>\n", { status: 404 });
}

export default {
  async fetch(request) {
    try {
      return await answer(new URL(request.url));
    } catch (err) {
      return Response.json({ error: (err as Error).message }, { status: 503 });
    }
  },
} satisfies App;
