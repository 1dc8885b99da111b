/** @jsxImportSource preact */
// Entry point of the dashboard bundle (admin-ui/index.html loads it as a module from this origin).
import { render } from "preact";
import { App } from "./app.tsx";

render(<App />, document.getElementById("app")!);
