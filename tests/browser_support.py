"""Driving Debian's chromium headless for the browser tests and the render benchmark.

The browser is the system's ``/usr/bin/chromium`` (``make test`` installs it with apt when it is missing),
driven by the ``playwright`` package over its pipe; playwright's own browser download is never used, so
nothing is fetched. ``Browser.launch`` gives every run a fresh profile: playwright creates a temporary
``--user-data-dir`` and removes it when the browser closes (``launch_persistent_context`` would be the way
to choose the folder; nothing here needs to).

Each page is watched (``Watch``): console messages of type error, uncaught page errors, and every request
whose URL is not ``file:``, ``data:``, ``about:`` or ``blob:`` — a view must work offline, so such a request
is a failure. Requests to the network are also aborted, so a page that tries cannot hang or leak.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"  # screenshots the browser tests keep (git-ignored)
CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
# The flags of the issue: headless, no sandbox (CI runs as root), no GPU, nothing in the background.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
READY_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 1000}


def skip_reason() -> str | None:
    """Why the browser tests do not run (KG_SKIP_BROWSER=1), else None."""
    if os.environ.get("KG_SKIP_BROWSER", "") not in ("", "0"):
        return "KG_SKIP_BROWSER is set"
    return None


def missing_browser() -> str | None:
    """A message saying what to do when chromium or playwright is missing, else None."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        return (f"{CHROMIUM} not found{f' (there is {found}: set KG_CHROMIUM)' if found else ''}. "
                "Run `make test`, which installs Debian's chromium with apt, or "
                "`apt-get install --no-install-recommends chromium`; KG_SKIP_BROWSER=1 skips these tests.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: `make test` installs the test extras (pip install -e '.[test]')."
    return None


def launch(playwright: Any, *, headless: bool = True) -> Any:
    """Debian's chromium with the issue's flags and a fresh temporary profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=headless)


@dataclass
class Watch:
    """What a page did that it must not: console errors, page errors, requests off the machine."""
    errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> "Watch":
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("request", self._request)
        page.on("popup", self.attach)
        return self

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def _request(self, request: Any) -> None:
        self.requests.append(request.url)
        if not request.url.startswith(LOCAL_SCHEMES):
            self.remote.append(f"{request.method} {request.url[:200]}")

    def assert_clean(self) -> None:
        assert not self.errors, "the page reported errors:\n" + "\n".join(self.errors)
        assert not self.remote, "the page made requests off the machine:\n" + "\n".join(self.remote)


def new_context(browser: Any) -> Any:
    """A browser context whose requests to the network are aborted (and still seen by ``Watch``)."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
    return context


def open_page(context: Any, path: Path, watch: Watch | None = None) -> tuple[Any, Watch]:
    page = context.new_page()
    watch = (watch or Watch()).attach(page)
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    return page, watch


def wait_ready(page: Any, timeout_ms: int = READY_TIMEOUT_MS) -> None:
    """Until the view says stabilisation is over and physics is off (``window.kgReady === true``)."""
    page.wait_for_function("window.kgReady === true", timeout=timeout_ms)


# Counts the canvas pixels that differ from its top-left corner (the background), every 2nd row and column.
DRAWN_PIXELS_JS = """() => {
  const net = window.kgNetwork;
  const canvas = (net && net.canvas && net.canvas.frame && net.canvas.frame.canvas) || document.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return {width: 0, height: 0, drawn: 0};
  const {width, height} = canvas;
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const bg = [data[0], data[1], data[2], data[3]];
  let drawn = 0;
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      const i = (y * width + x) * 4;
      if (data[i] !== bg[0] || data[i + 1] !== bg[1] || data[i + 2] !== bg[2] || data[i + 3] !== bg[3]) drawn++;
    }
  }
  return {width, height, drawn};
}"""


def drawn_pixels(page: Any) -> dict[str, int]:
    return page.evaluate(DRAWN_PIXELS_JS)


# Nodes the network shows: in its data, not hidden.
VISIBLE_NODES_JS = """() => {
  const body = window.kgNetwork.body;
  return body.nodeIndices.filter(id => body.nodes[id] && !body.nodes[id].options.hidden).length;
}"""


def visible_nodes(page: Any) -> int:
    return page.evaluate(VISIBLE_NODES_JS)


def find_node(page: Any, text: str) -> str | None:
    """The id of a node whose label is ``text`` (its first line: a caption may follow), else contains it."""
    return page.evaluate("""(text) => {
      const nodes = window.kgNetwork.body.data.nodes.get();
      const exact = nodes.find(n => String(n.label || "").split("\\n")[0].trim() === text);
      const part = nodes.find(n => String(n.label || "").includes(text));
      return (exact || part || {id: null}).id;
    }""", text)


def click_node(page: Any, node_id: str) -> list[str]:
    """Centre the view on ``node_id``, click it with the mouse; returns the network's selected nodes."""
    page.evaluate("""(id) => { window.kgNetwork.focus(id, {scale: 1.5, animation: false}); }""", node_id)
    page.locator("canvas").first.scroll_into_view_if_needed()
    x, y = page.evaluate("""(id) => {
      const net = window.kgNetwork;
      const p = net.canvasToDOM(net.getPosition(id));
      const box = net.canvas.frame.canvas.getBoundingClientRect();
      return [box.left + p.x, box.top + p.y];
    }""", node_id)
    page.mouse.click(x, y)
    return page.evaluate("() => window.kgNetwork.getSelectedNodes()")


def screenshot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact, test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
