import { mount } from "svelte";
import App from "./App.svelte";
import { dropSocket } from "./lib/api/client";
import "./app.css";

declare global {
  interface Window {
    /** A hook for tests and demos: drop the live socket as a network failure would. */
    podrun: { dropSocket(): void };
  }
}

window.podrun = { dropSocket };

export default mount(App, { target: document.getElementById("app")! });
