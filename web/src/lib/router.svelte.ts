/**
 * Client-side routes over the History API. The server answers index.html for these paths,
 * so a route survives a reload and can be shared as a link.
 */
class Router {
  path = $state(location.pathname);
  search = $state(location.search);

  navigate(to: string, { replace = false } = {}): void {
    if (to === location.pathname + location.search) return;
    if (replace) history.replaceState(null, "", to);
    else history.pushState(null, "", to);
    this.sync();
  }

  sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }
}

export const router = new Router();

addEventListener("popstate", () => router.sync());

/** Same-origin link clicks become route changes instead of page loads. */
export function followLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest("a");
  if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/graphql")) return;
  event.preventDefault();
  router.navigate(url.pathname + url.search);
}
