// The IoT gateway's shared state: each device's last reading (expiring when the device goes quiet), the device list and a reading count.
import type { Shared } from "workerman-app";

export interface Reading {
  device: string;
  celsius: number;
  humidity: number | null;
  /** Unix ms when the gateway took it. */
  at: number;
}

/** A device silent this long drops out of the API: its last reading expires. */
export const READING_TTL_SECONDS = 300;
/** The device list is one shared value: bounded so it stays far below shared.maxValueBytes. */
export const MAX_DEVICES = 1000;

export const readingKey = (device: string) => `reading:${device}`;

/** Adds a device to the list with compareAndSet, retried on a race: two processes meeting new devices at once both land. */
export async function remember(shared: Shared, device: string): Promise<boolean> {
  for (;;) {
    const devices = await shared.get<string[]>("devices");
    if (devices?.includes(device)) return true;
    if ((devices?.length ?? 0) >= MAX_DEVICES) return false;
    if (await shared.compareAndSet("devices", devices, [...(devices ?? []), device].sort())) return true;
  }
}

/** The last reading of every device heard from within READING_TTL_SECONDS. */
export async function lastReadings(shared: Shared): Promise<Reading[]> {
  const devices = (await shared.get<string[]>("devices")) ?? [];
  const readings = await Promise.all(devices.map((device) => shared.get<Reading>(readingKey(device))));
  return readings.filter((reading): reading is Reading => reading !== undefined);
}
