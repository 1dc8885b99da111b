/** @jsxImportSource preact */
// The page: login until there is a session; then the overview, the tabs (hash routes) and the live feed.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { logout, session, sessionId } from "./api.ts";
import { startLive } from "./live.ts";
import { operation } from "./operation.ts";
import { ClusterBadge } from "./parts/cluster-badge.tsx";
import { ConfirmDialog } from "./parts/confirm.tsx";
import { feed, forgetMaster, refreshStatus, startClock, status } from "./state.ts";
import { Charts } from "./views/charts.tsx";
import { Cluster } from "./views/cluster.tsx";
import { Configs } from "./views/configs.tsx";
import { Connections } from "./views/connections.tsx";
import { Events } from "./views/events.tsx";
import { Login } from "./views/login.tsx";
import { Logs } from "./views/logs.tsx";
import { Overview } from "./views/overview.tsx";
import { Timers } from "./views/timers.tsx";
import { Workers } from "./views/workers.tsx";

const TABS = [
  { key: "workers", label: "Workers", view: Workers },
  { key: "connections", label: "Connections", view: Connections },
  { key: "timers", label: "Timers", view: Timers },
  { key: "charts", label: "Charts", view: Charts },
  { key: "events", label: "Events", view: Events },
  { key: "logs", label: "Logs", view: Logs },
  { key: "configs", label: "Configs", view: Configs },
  { key: "cluster", label: "Cluster", view: Cluster },
] as const;

function routeFromHash(): string {
  // A view may keep its own state after "?" (the Charts view's range): the tab is what comes before it.
  const key = location.hash.replace(/^#\/?/, "").split("?")[0]!;
  return TABS.some((t) => t.key === key) ? key : "workers";
}

const route = signal(routeFromHash());
addEventListener("hashchange", () => (route.value = routeFromHash()));

const FEED_TEXT = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…", offline: "offline: retrying" } as const;

function Dashboard() {
  useEffect(() => {
    void refreshStatus().catch(() => undefined);
    const stopLive = startLive();
    const stopClock = startClock();
    return () => {
      stopLive();
      stopClock();
      forgetMaster();
      operation.value = null;
    };
  }, []);
  const tab = TABS.find((t) => t.key === route.value) ?? TABS[0];
  const View = tab.view;
  return (
    <>
      <header class="topbar">
        <h1>
          {status.value?.master.name ?? "workerman-app"} <span class="muted">admin</span>
        </h1>
        <span class={`feed feed-${feed.value}`} role="status" aria-live="polite" data-feed={feed.value}>
          {FEED_TEXT[feed.value]}
        </span>
        <ClusterBadge />
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main>
        <Overview />
        <nav class="tabs" aria-label="Views">
          {TABS.map((t) => (
            <a key={t.key} href={`#/${t.key}`} aria-current={t.key === tab.key ? "page" : undefined}>
              {t.label}
            </a>
          ))}
        </nav>
        <View />
      </main>
      <ConfirmDialog />
    </>
  );
}

export function App() {
  useEffect(() => {
    // A session kept in this tab (a reload) skips the login form; none, or a 401, shows it.
    if (sessionId() === null) {
      session.value = "out";
      return;
    }
    refreshStatus().then(
      () => (session.value = "in"),
      () => session.value === "unknown" && (session.value = "out"),
    );
  }, []);
  if (session.value === "unknown") return <p class="boot">Connecting to the master…</p>;
  if (session.value === "out") return <Login />;
  return <Dashboard />;
}
