"""The adapter of asv's published page, against the page the installed asv really publishes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accelpi.site.asvpages import NAV_LINK, AsvTemplateChanged, adapt

from ..helpers import ROOT

asv = pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")
NODE_MODULES = ROOT / ".tools" / "node_modules"


@pytest.fixture
def published(tmp_path) -> Path:
    shutil.copyfile(Path(asv.__file__).parent / "www" / "index.html", tmp_path / "index.html")
    return tmp_path


@pytest.mark.skipif(not (NODE_MODULES / "jquery").exists(), reason="npm packages missing: make tools")
def test_asvs_page_gets_our_link_and_no_cdn_request(published):
    assert adapt(published, NODE_MODULES) == []
    text = (published / "index.html").read_text()
    assert text.count(NAV_LINK) == 1 and "https://cdn" not in text and "code.jquery.com" not in text
    assert (published / "vendor" / "jquery" / "dist" / "jquery.min.js").is_file()
    adapt(published, NODE_MODULES)  # twice: nothing more
    assert (published / "index.html").read_text() == text


def test_a_missing_package_leaves_its_tag_and_says_so(published, tmp_path):
    left = adapt(published, tmp_path / "no-node-modules")
    assert any("jquery" in url for url in left)
    assert NAV_LINK in (published / "index.html").read_text()


def test_a_changed_asv_page_fails_loudly(published, tmp_path):
    page = published / "index.html"
    page.write_text(page.read_text().replace('<li id="nav-li-regressions">', "<li>"))
    with pytest.raises(AsvTemplateChanged, match="nav-li-regressions"):
        adapt(published, tmp_path)
    page.write_text('<li id="nav-li-regressions"><script src="https://cdn.example/new-lib.js"></script>')
    with pytest.raises(AsvTemplateChanged, match=r"new-lib\.js"):
        adapt(published, tmp_path)
