// IoT gateway, device side: one line per reading over text:// ("<device> <celsius> [humidity]"), kept as the device's last reading in worker.shared.
import type { App } from "workerman-app";
import { READING_TTL_SECONDS, readingKey, remember, type Reading } from "./devices.ts";

const DEVICE = /^[A-Za-z0-9_.:-]{1,64}$/;

function parse(line: string): Reading | null {
  const [device, celsius, humidity, ...rest] = line.trim().split(/\s+/);
  if (!device || !DEVICE.test(device) || rest.length > 0) return null;
  const c = Number(celsius);
  const h = humidity === undefined ? null : Number(humidity);
  if (!Number.isFinite(c) || (h !== null && !Number.isFinite(h))) return null;
  return { device, celsius: c, humidity: h, at: Date.now() };
}

export default {
  async onMessage(conn, line) {
    const reading = parse(line);
    if (!reading) {
      conn.send("ERR expected: <device> <celsius> [humidity]");
      return;
    }
    const { shared } = conn.worker;
    try {
      await shared.set(readingKey(reading.device), reading, { ttlSeconds: READING_TTL_SECONDS });
      const listed = await remember(shared, reading.device);
      const count = await shared.incr("readings");
      conn.send(listed ? `OK ${count}` : `OK ${count} (device list full: read it at /devices/${reading.device})`);
    } catch (err) {
      // E_UNAVAILABLE while Redis (with cluster.redis) or the master is out of reach: the device sends again later.
      conn.send(`ERR ${(err as Error).message}`);
    }
  },
} satisfies App<string>;
