"""The published site, from the committed results, in a real browser (Debian's Chromium).

asv's index, one asv graph page and our release pages are served from a local server
and loaded by headless Chromium (driven by Playwright): no console errors, no script
errors, the plots present and loaded, and our pages fit a phone's width.
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accelpi.site.build import build_site

from ..helpers import ROOT, committed_report

_spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
_screenshots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_screenshots)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = _screenshots.FLAGS  # Chromium's flags for this closed network, written once

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is missing (apt-get install chromium)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("asv", reason="asv is not installed")
    if not (ROOT / "results" / "benchmarks.json").exists():
        pytest.skip("no committed results under results/")
    return build_site(ROOT, html_dir=str(tmp_path_factory.mktemp("site") / "html"))


@pytest.fixture(scope="module")
def server(site):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser, url: str, wait_for: str | None = None, phone: bool = False, unfold: bool = True):
    """A page of the site at a screen's width, its folded parts opened (``unfold``: the charts
    beyond the first few draw when their details open); returns it and its console errors."""
    size = {"width": 412, "height": 915} if phone else {"width": 1400, "height": 900}
    page = browser.new_context(viewport=size).new_page()
    errors: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error":
            errors.append(f"console error: {msg.text}")

    # asv's graph page asks for every environment's file of a benchmark and draws those that
    # exist: an environment that never ran the benchmark (a sweep runs a subset), or ran an
    # older version of it, answers 404 by design. Those, and only those, are allowed.
    probes: list[str] = []

    def on_response(response) -> None:
        if (
            response.status == 404
            and "/graphs/" in response.url
            and response.url.split("?")[0].endswith(".json")
        ):
            probes.append(response.url)

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.goto(url, wait_until="networkidle")
    if unfold:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    if wait_for:
        page.wait_for_selector(wait_for, timeout=30_000)
    page.wait_for_load_state("networkidle")
    not_found = "Failed to load resource: the server responded with a status of 404"
    for _ in probes:
        match = next((e for e in errors if not_found in e), None)
        if match:
            errors.remove(match)
    return page, errors


def test_the_site_links_our_pages(site):
    assert 'href="accelpi/index.html"' in (site / "index.html").read_text()
    assert (site / "accelpi" / "index.html").exists()


def _report():
    return committed_report()


def test_the_site_compares_every_build_family_measured_twice(site):
    """Every library with several builds (an Intel build and its stock twin) that the
    committed sweeps hold has its rows in the front page's "one release, two builds"."""
    builds = _report()["builds"]
    text = (site / "accelpi" / "index.html").read_text()
    section = text.split(">One release, two builds</h2>", 1)[1].split("<h2", 1)[0]
    assert builds, "the committed sweeps hold no build measured beside its stock twin"
    for family, rows in builds.items():
        assert f">{family}<" in section, (family, section[:300])
        for row in rows:
            assert str(row["release"]) in section, (family, row["release"])


def test_asv_index_renders_the_benchmark_grid(browser, server):
    page, errors = _open(browser, f"{server}/index.html", wait_for=".benchmark-container")
    assert page.locator(".benchmark-container").count() > 5
    assert page.locator("#nav-li-accelpi a").get_attribute("href") == "accelpi/index.html"
    assert not errors, errors


def test_our_pages_show_loaded_plots_and_fit_a_phone(browser, server, site):
    page, errors = _open(browser, f"{server}/accelpi/index.html", phone=True)
    assert "which accelerator is fastest here" in page.title()
    libraries = [
        h for a in page.locator("table a").all() if not (h := a.get_attribute("href")).startswith("../")
    ]
    assert libraries, "no swept library is listed"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    for href in libraries:
        lib_page, lib_errors = _open(browser, f"{server}/accelpi/{href}", wait_for="div.vega svg", phone=True)
        holders = lib_page.locator("div.vega").count()
        assert holders >= 1, href
        lib_page.wait_for_function(f"document.querySelectorAll('div.vega svg').length === {holders}")
        assert lib_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), href
        # the font size of every chart text as drawn: its size times the SVG's scale on screen
        smallest = lib_page.evaluate(
            """Math.min(...[...document.querySelectorAll('div.vega svg')].flatMap(svg => {
                const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
                return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
                    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
            }))"""
        )
        assert smallest >= 10, f"{href}: chart text {smallest:.1f} px"
        # every text of a chart (legend labels included) drawn inside its chart: a legend
        # wider than the phone lost the end of "oneDNN on (the default)" to the SVG's edge
        outside = lib_page.evaluate(
            """[...document.querySelectorAll('div.vega svg')].flatMap(svg => {
                const box = svg.getBoundingClientRect();
                return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
                    .filter(t => { const r = t.getBoundingClientRect();
                                   return r.right > box.right + 1 || r.left < box.left - 1; })
                    .map(t => t.textContent);
            })"""
        )
        assert not outside, f"{href}: chart text beyond the chart's edge: {outside}"
        errors += lib_errors
    assert not errors, errors


def _point_colours(page, kind: str = "point") -> dict[str, list[str]]:
    """Backend -> the colours its marks of ``kind`` (point, bar) are drawn in, over every
    chart of the page (Vega labels each mark for screen readers: "release: ...; backend: ...")."""
    return page.evaluate(
        """(kind) => {
        const found = {};
        const marks = `div.vega svg [aria-roledescription="${kind}"][aria-label*="backend: "]`;
        for (const mark of document.querySelectorAll(marks)) {
          const backend = /backend: ([^;]+)/.exec(mark.getAttribute("aria-label"))[1].trim();
          const colour = mark.getAttribute("fill") !== "none" ? mark.getAttribute("fill")
                                                            : mark.getAttribute("stroke");
          (found[backend] = found[backend] || new Set()).add(colour);
        }
        return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v]]));
      }""",
        kind,
    )


def test_a_backend_has_one_colour_on_every_chart_and_a_point_tells_its_value(browser, server):
    from accelpi.site.charts import colour_of

    libraries = _report()["libraries"]
    assert libraries, "no library of the committed sweeps has a release page"
    # the page that draws the most backends
    library = max(
        libraries, key=lambda name: len({s["params"].split(",")[0] for s in libraries[name]["series"]})
    )
    page, errors = _open(browser, f"{server}/accelpi/{library}.html", wait_for="div.vega svg")
    holders = page.locator("div.vega").count()
    page.wait_for_function(f"document.querySelectorAll('div.vega svg').length === {holders}")
    colours = _point_colours(page)
    assert len(colours) >= 2, colours
    for backend, seen in colours.items():
        assert seen == [colour_of(backend)], (backend, seen)
    # a point of one backend that no other point covers, under the mouse
    backend = sorted(colours)[0]
    spot = page.evaluate(
        """(backend) => {
        const marks = `div.vega svg [aria-roledescription="point"][aria-label*="backend: ${backend}"]`;
        for (const mark of document.querySelectorAll(marks)) {
          mark.scrollIntoView({block: "center"});
          const box = mark.getBoundingClientRect();
          const x = box.x + box.width / 2, y = box.y + box.height / 2;
          if (document.elementFromPoint(x, y) === mark) return [x, y];
        }
        return null;
      }""",
        backend,
    )
    assert spot, f"every {backend} point is covered by another"
    page.mouse.move(*spot)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    assert backend in text and "release" in text and "percentile" in text, text
    assert not errors, errors


def test_asvs_throughput_graph_shows_one_environments_history_with_a_readable_legend(browser, server):
    from accelpi import registry

    page, errors = _open(
        browser,
        f"{server}/index.html#throughput.Throughput.time_estimate",
        wait_for="#graph-display canvas.flot-base",
    )
    assert page.locator("#graph-display canvas.flot-base").count() >= 1
    labels = page.locator("#graph-display .legendLabel").all_inner_texts()
    # one line per backend and size, not one per environment combination (sweeps are elsewhere)
    assert 0 < len(labels) <= len(registry.names()) * 2, labels
    assert not any("virtualenv" in label or "ONEDNN" in label for label in labels), labels
    assert not errors, errors


def test_a_release_page_exists_exactly_for_each_swept_library(site):
    swept = set(_report()["libraries"])
    ours = {"index", "changes", "replication", "builds", "inventory", "gate", "radar"}
    pages = {p.stem for p in (site / "accelpi").glob("*.html")} - ours
    assert pages == swept


def test_the_radar_page_feed_and_front_page_box_show_every_committed_entry(browser, server, site):
    """Each release the committed radar record holds is a row of radar.html, an entry of the
    feed (which a feed parser reads without complaint) and, the newest five, of the front page."""
    import feedparser

    from accelpi.store import SWEEP_RESULTS
    from accelpi.store.radar import load_sightings

    sightings = load_sightings(ROOT / SWEEP_RESULTS)
    assert sightings, "the committed sweeps hold no radar record (sweeps/radar.sightings)"
    feed = feedparser.parse((site / "accelpi" / "radar.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == len(sightings)
    page, errors = _open(browser, f"{server}/accelpi/radar.html")
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == len(sightings)
    for s in sightings:
        assert any(f"{s['library']} {s['release']}:" in e.title for e in feed.entries), s
    front, front_errors = _open(browser, f"{server}/accelpi/index.html")
    assert front.locator("h2:has-text('Latest releases') + p a[href='radar.html']").count() == 1
    box = (
        (site / "accelpi" / "index.html").read_text().split(">Latest releases</h2>", 1)[1].split("<h2", 1)[0]
    )
    newest = sorted(sightings, key=lambda s: (s.get("uploaded") or "", s["found"]), reverse=True)[:5]
    assert all(f">{s['release']}<" in box for s in newest), box[:500]
    assert not errors + front_errors, errors + front_errors


def _expected_rates(machine: str) -> dict[str, float]:
    """Msamples/s of ``machine``'s newest run, read as plain JSON: CPU throughput at 2**25
    (plain Python at 2**16), or on a GPU machine its GPU throughput at 2**31."""
    import itertools
    import json

    files = [json.loads(p.read_text()) for p in (ROOT / "results" / machine).glob("*.json")]
    files = [d for d in files if "results" in d]
    cpu, gpu = "throughput.Throughput.time_estimate", "throughput.GpuThroughput.time_estimate"
    key = cpu if any(cpu in d["results"] for d in files) else gpu
    newest = max((d for d in files if key in d["results"]), key=lambda d: d["date"])
    row, columns = newest["results"][key], newest["result_columns"]
    values, axes = row[columns.index("result")], row[columns.index("params")]  # the file's own axes
    expected = {}
    for params, seconds in zip(itertools.product(*axes), values, strict=False):
        name, n = params[0].strip("'"), params[1] if key == cpu else str(2**31)
        if seconds == seconds and seconds and (n in ("33554432", str(2**31)) or name not in expected):
            expected[name] = int(n) / seconds / 1e6
    return expected


def test_the_front_page_ranks_every_backend_at_its_measured_rate(browser, server):
    page, errors = _open(browser, f"{server}/accelpi/index.html")
    headings = page.locator("h2[id^='ranking-']").all()
    machines = [h.get_attribute("id").removeprefix("ranking-") for h in headings]
    assert {"cpu-epyc-2c", "gpu-h100"} <= set(machines), machines
    ranked = set()
    for machine in machines:
        shown = {}
        folded = f"h2#ranking-{machine} + p + .table + details tbody tr"  # the rows past the first few
        for row in page.locator(f"h2#ranking-{machine} + p + .table tbody tr, {folded}").all():
            cells = row.locator("td").all_inner_texts()
            shown[cells[0]] = float(row.locator(".rate").inner_text().replace(",", ""))
        # the same rates, independently: the machine's newest result file, read as plain JSON
        expected = _expected_rates(machine)
        assert set(shown) == set(expected), machine
        for name, rate in shown.items():
            assert rate == pytest.approx(expected[name], abs=0.06), (machine, name)
        rates = list(shown.values())
        if "python" in shown:
            rates = rates[:-1]  # plain Python last, at 2**16
        assert rates == sorted(rates, reverse=True), machine
        ranked |= set(shown)
    shown = ranked
    # the dot charts above the tables (a log scale: dots, no bars whose length would mean
    # nothing): every ranked backend, in its colour of every chart
    from accelpi.site.charts import colour_of

    page.wait_for_function("document.querySelectorAll('div.vega svg').length >= 1")
    dots = _point_colours(page, "point")
    assert set(dots) == set(shown), dots
    assert all(seen == [colour_of(backend)] for backend, seen in dots.items()), dots
    assert not _point_colours(page, "bar")
    assert not errors, errors


def test_each_backend_link_of_the_front_page_draws_that_backend_on_its_machine(browser, server):
    page, errors = _open(browser, f"{server}/accelpi/index.html")
    links = [
        (a.inner_text().strip(), a.get_attribute("href"))
        for a in page.locator("h2[id^='ranking-'] + p + .table tbody td:first-child a").all()
    ]
    assert len(links) >= 10, links
    for name, href in links:
        assert f"p-backend=%27{name.replace(':', '%3A')}%27" in href, href
        graph, graph_errors = _open(
            browser, f"{server}/accelpi/{href}", wait_for="#graph-display canvas.flot-base"
        )
        # asv's page selects the parameters from the address: the backend's own box is ticked
        ticked = graph.evaluate(
            """() => [...document.querySelectorAll('.graph-param-selection input, #params input, input')]
                  .filter(i => i.checked !== undefined && i.checked).map(i => i.parentElement.textContent)"""
        )
        shown = graph.locator("#graph-display .legendLabel").all_inner_texts()
        assert any(name in t for t in ticked + shown), (name, ticked[:10], shown)
        assert graph.locator("#graph-display canvas.flot-base").count() >= 1, name
        errors += [f"{name}: {e}" for e in graph_errors]
        graph.context.close()
    assert not errors, errors[:5]


@pytest.mark.parametrize("phone", [False, True], ids=["1400px", "412px"])
def test_no_page_breaks_a_word_and_none_scrolls_sideways(browser, server, site, phone):
    pages = sorted(p.name for p in (site / "accelpi").glob("*.html"))
    for name in pages:
        page, errors = _open(browser, f"{server}/accelpi/{name}", phone=phone)
        broken = page.evaluate(
            """() => [...document.querySelectorAll('td, th, p, h1, h2, a, code')].filter(e => {
                const s = getComputedStyle(e);
                return s.overflowWrap === 'anywhere' || s.wordBreak === 'break-all';
              }).length"""
        )
        assert broken == 0, (name, broken)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, (name, wide)
        page.context.close()
        assert not errors, (name, errors[:3])


def test_a_legend_of_switches_only_where_a_page_has_switches_and_in_words(browser, server):
    """A page draws a legend of switches and builds exactly when one of its lines has a
    switch or a build, and that legend names it in words, whole (no "…", no variable names)."""
    libraries = _report()["libraries"]
    for library, data in libraries.items():
        builds = {s["axes"].split(" [")[0] for s in data["series"]}
        variants = len(builds) > 1 or any("[" in s["axes"] for s in data["series"])
        page, errors = _open(browser, f"{server}/accelpi/{library}.html", wait_for="div.vega svg")
        holders = page.locator("div.vega").count()
        page.wait_for_function(f"document.querySelectorAll('div.vega svg').length === {holders}")
        titles = page.evaluate(
            """() => [...document.querySelectorAll('div.vega svg g.role-legend-title text')]
                  .map(t => t.textContent)"""
        )
        labels = page.evaluate(
            """() => [...document.querySelectorAll('div.vega svg g.role-legend-label text')]
                  .map(t => t.textContent)"""
        )
        page.context.close()
        assert not errors, (library, errors[:3])
        assert any("switch" in text for text in titles) == variants, (library, titles)
        if variants:
            assert not any(text.endswith("…") for text in labels), (library, labels)
            assert not any("ONEDNN" in text for text in labels), (library, labels)


def test_a_library_page_answers_release_by_release_first(site):
    # the first section of numba.html: each release step that moved, newest first, and what to do
    import re

    from packaging.version import Version

    text = (site / "accelpi" / "numba.html").read_text()
    first = text.index("Release by release")
    assert "<figure" not in text[:first]  # before the charts
    section = text[first : text.index("</table>", first)]
    releases = re.findall(r"<td[^>]*>(\d+\.\d+\.\d+)</td>", section)
    assert releases and releases == sorted(releases, key=Version, reverse=True), releases
    assert "slower (" in section and "accelpi bisect numba --good" in section


def test_the_chart_scripts_come_with_the_package_at_the_versions_its_readme_names():
    import re

    from accelpi.site.pages import CHART_SCRIPTS

    vendor = ROOT / "accelpi" / "site" / "vendor"
    table = dict(
        re.findall(
            r"^\| `([\w.-]+\.min\.js)` \| [\w-]+ \(`[^`]+`\) \| ([\d.]+) \|",
            (vendor / "README.md").read_text(),
            re.M,
        )
    )
    assert sorted(table) == sorted(CHART_SCRIPTS)
    for name, version in table.items():
        text = (vendor / name).read_text()
        assert f'"{version}"' in text, f"{name} is not the version its README names ({version})"
        assert (vendor / f"LICENSE.{name.removesuffix('.min.js')}").is_file()


def test_a_chart_whose_scripts_were_not_copied_with_its_page_says_so(browser, tmp_path):
    # a site copied without its vendor folder: the charts' place says why it is empty
    pytest.importorskip("asv", reason="asv is not installed")
    bare = build_site(ROOT, html_dir=str(tmp_path / "html"), node_modules=tmp_path / "none", publish=False)
    assert (bare / "accelpi" / "vendor" / "vega-embed.min.js").is_file()  # from the package, no make tools
    shutil.rmtree(bare / "accelpi" / "vendor")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(bare)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page = browser.new_context().new_page()
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/accelpi/numba.html")
        page.wait_for_selector("div.vega.missing")
        said = page.locator("div.vega").first.inner_text()
        assert "cannot be drawn" in said and "vendor folder" in said
        assert page.locator("div.vega").count() == page.locator("div.vega.missing").count()
    finally:
        httpd.shutdown()


def test_no_axis_label_of_a_ranking_chart_covers_another(browser, server):
    # the GPU machine's rates span a decade on a log axis: its labels once printed "400,000500,000"
    page, _ = _open(browser, f"{server}/accelpi/index.html", wait_for="div.vega svg")
    holders = page.locator("div.vega").count()
    page.wait_for_function(f"document.querySelectorAll('div.vega svg').length === {holders}")
    overlaps = page.evaluate(
        """() => {
        const found = [];
        for (const svg of document.querySelectorAll("div[id^='ranking-chart'] svg")) {
          const labels = [...svg.querySelectorAll("g[aria-label^='X-axis'] .role-axis-label text")]
            .filter((t) => t.getAttribute("opacity") !== "0")  // Vega hides a crowded label so
            .map((t) => t.getBoundingClientRect()).filter((b) => b.width > 0)
            .sort((a, b) => a.left - b.left);
          for (let i = 1; i < labels.length; i++) {
            // closer than 3 px reads as one number ("400,000500,000")
            if (labels[i].left < labels[i - 1].right + 3 && labels[i].top < labels[i - 1].bottom
                && labels[i - 1].top < labels[i].bottom) found.push(svg.closest("div").id);
          }
        }
        return found;
      }"""
    )
    labels = "div[id^='ranking-chart'] g[aria-label^='X-axis'] .role-axis-label text"
    counted = page.evaluate(f"document.querySelectorAll({labels!r}).length")
    assert counted > 0, "no x-axis label found: the selector no longer matches Vega's output"
    assert overlaps == [], overlaps


#: The tallest a page of the site may be on a phone (412 px wide) with its folds closed: the
#: front page was 15,688 px, inventory.html 49,990 px, tensorflow-cpu.html 29,137 px before
#: long tables and charts folded.
PHONE_HEIGHT = 12_000


def test_every_page_is_short_on_a_phone_and_long_pages_open_with_their_contents(browser, server, site):
    heights = {}
    for name in sorted(p.name for p in (site / "accelpi").glob("*.html")):
        page, errors = _open(browser, f"{server}/accelpi/{name}", phone=True, unfold=False)
        heights[name] = page.evaluate("document.documentElement.scrollHeight")
        links = page.evaluate("[...document.querySelectorAll('nav.toc a')].map(a => a.getAttribute('href'))")
        for href in links:  # every entry of the contents leads to its heading
            assert page.locator(f"[id='{href[1:]}']").count() == 1, (name, href)
        if page.locator("h2").count() >= 6:
            assert links, f"{name}: {page.locator('h2').count()} sections and no contents at the top"
        page.context.close()
        assert not errors, (name, errors[:3])
    assert max(heights.values()) <= PHONE_HEIGHT, sorted(heights.items(), key=lambda kv: -kv[1])[:4]


def test_a_folded_chart_is_drawn_full_width_when_opened(browser, server, site):
    library = next(
        (
            p.name
            for p in sorted((site / "accelpi").glob("*.html"))
            if "more charts</summary>" in p.read_text()
        ),
        None,
    )
    if library is None:
        pytest.skip("no page has more charts than it shows at once")
    page, errors = _open(browser, f"{server}/accelpi/{library}", phone=True, unfold=False)
    folded = page.locator("details.more:has(div.vega)").first
    assert folded.locator("div.vega svg").count() == 0  # not drawn while folded
    folded.locator("summary").click()
    folded.locator("div.vega svg").first.wait_for(timeout=30_000)
    width = folded.locator("div.vega svg").first.evaluate("svg => svg.getBoundingClientRect().width")
    assert width > 300, width  # drawn at the phone's width, not 0 px
    page.context.close()
    assert not errors, errors[:3]


def test_the_inventory_lists_each_librarys_environments_in_release_order_its_release_first(site):
    import re

    from packaging.version import Version

    text = (site / "accelpi" / "inventory.html").read_text()
    part = text.split(">numba releases</h2>", 1)[1].split("<h2", 1)[0]
    headers = re.findall(r"<th>([^<]*)</th>", part.split("</thead>", 1)[0])
    assert headers[:4] == ["machine", "campaign", "numba", "switches"], headers
    rows = re.findall(r"<tr>(.*?)</tr>", part.split("<tbody>", 1)[1], re.S)
    cells = [c for c in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows) if c]  # no <th> rows
    runs: dict[tuple[str, str], list] = {}
    for machine, campaign, release, *_ in cells:
        runs.setdefault((machine, campaign), []).append(Version(release.split()[0]))
    assert runs and all(found == sorted(found) for found in runs.values()), runs


def test_every_page_with_a_file_has_a_writer_and_every_writer_a_file():
    """The site's one protocol: a page is linked (sitemap) exactly when it is written (contents)."""
    from accelpi.site.contents import PAGES
    from accelpi.site.sitemap import NAV, PAGE_FILES

    written = {p.key for p in PAGES}
    assert set(PAGE_FILES) == written - {"libraries"}  # the libraries' pages are listed on the front page
    assert [link["href"] for link in NAV["links"][: len(PAGE_FILES)]] == [f for f, _ in PAGE_FILES.values()]
    assert PAGES[-1].key == "front" and PAGES[0].key == "libraries"  # the front page links what exists
