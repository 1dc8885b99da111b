// Refused handshakes per reason, summed over this instance's push processes by a request/reply on channel topics.
import type { Worker } from "workerman-app";

export interface Refusals {
  origin: number;
  missing: number;
  digest: number;
  expired: number;
}

const REQUEST = "push:refusals?";
const REPLY = "push:refusals!";
const WAIT_MS = 1000;

interface Reply {
  id: string;
  pid: number;
  refusals: Refusals;
}

let self: Worker;
const waiting = new Map<string, (reply: Reply) => void>();

export function serveRefusals(worker: Worker, refusals: Refusals): void {
  self = worker;
  worker.channel.subscribe(REQUEST, (data) => {
    const request = data as { id: string; instance: string };
    // Only this instance's processes answer: with a cluster, the other hosts hear the request too.
    if (request.instance === worker.channel.instance) worker.channel.publish(REPLY, { id: request.id, pid: worker.pid, refusals } satisfies Reply);
  });
  worker.channel.subscribe(REPLY, (data) => waiting.get((data as Reply).id)?.(data as Reply));
}

export async function refusalsOfInstance(): Promise<{ processes: number; refusals: Refusals }> {
  const id = crypto.randomUUID();
  const replies = new Map<number, Refusals>();
  const done = Promise.withResolvers<void>();
  waiting.set(id, (reply) => {
    replies.set(reply.pid, reply.refusals);
    if (replies.size >= self.config.count) done.resolve();
  });
  const timer = setTimeout(done.resolve, WAIT_MS);
  self.channel.publish(REQUEST, { id, instance: self.channel.instance });
  await done.promise;
  clearTimeout(timer);
  waiting.delete(id);
  const total: Refusals = { origin: 0, missing: 0, digest: 0, expired: 0 };
  for (const counts of replies.values()) for (const key of Object.keys(total) as (keyof Refusals)[]) total[key] += counts[key];
  return { processes: replies.size, refusals: total };
}
