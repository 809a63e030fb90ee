"""Every generated page is fresh: rendering it from benchmarks/*.json, the sidecars, the CLI's argparse
parser and the public API gives the text on disk (README.md's blocks, docs/cli.md, docs/api.md,
docs/benchmarks.md, docs/models.md's blocks, benchmarks/models.md, benchmarks/mnist_models.md). Every
relative link in README.md and docs/*.md points to a file that exists, and so does every absolute link into the
repository (README.md, PyPI's long description, holds only those). `make readme` fixes a stale page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import diffusion_core
from diffusion_core.cli.main import build_parser
from diffusion_core.reports import pages, readme

ROOT = pages.ROOT  # the checkout whose diffusion_core is imported (wherever this file moves)
PAGES = pages.pages(build_parser(), diffusion_core, ROOT)
README_LIMIT = 12_000


@pytest.mark.parametrize("rel", sorted(PAGES))
def test_generated_page_is_fresh(rel):
    text = (ROOT / rel).read_text()
    assert PAGES[rel](text) == text, f"{rel} is stale: run `make readme`"


def test_readme_is_short_and_links_the_docs():
    text = (ROOT / "README.md").read_text()
    assert len(text) <= README_LIMIT
    for page in ("architecture", "cli", "api", "models", "benchmarks", "classroom", "interop", "devices"):
        assert f"]({readme.BLOB_URL}docs/{page}.md)" in text, page


def test_cli_reference_lists_every_command_and_option():
    """The page is the parser: each command has a section, each option a row (checked against argparse)."""
    text = (ROOT / "docs" / "cli.md").read_text()
    parser = build_parser()
    for name, (sub, _) in pages.cli_reference.commands(parser).items():
        section = text.split(f"\n## difflab {name}\n", 1)[1].split("\n## difflab ", 1)[0]
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}" in section, (name, flag)


def test_api_reference_lists_every_public_name():
    text = (ROOT / "docs" / "api.md").read_text()
    for name in diffusion_core.__all__:
        if name != "__version__":
            assert f"### `{name}`" in text, name


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)  # code blocks hold no links
    return re.findall(r"\]\(([^)\s]+)\)", text)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.*)$", text, re.M)}


def _repo_file(link: str) -> str | None:
    """The repository path an absolute link into this repository names (file, tree or raw URL), else None."""
    for base in (readme.BLOB_URL, readme.RAW_URL, f"{readme.REPO_URL}/tree/main/"):
        if link.startswith(base):
            return link.removeprefix(base)
    return None


def test_readme_links_are_absolute_for_pypi():
    """PyPI renders README.md without the repository: every link is an in-page anchor or an absolute URL, the
    images raw files (a GitHub page URL shows no image there)."""
    text = (ROOT / "README.md").read_text()
    links = _links(ROOT / "README.md")
    assert links and all(link.startswith("#") or re.match(r"^[a-z]+:", link) for link in links), links
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", re.sub(r"```.*?```", "", text, flags=re.S))
    assert images and all(i.startswith(readme.RAW_URL) for i in images), images
    assert readme.absolute_links("[a](docs/x.md#h) ![i](docs/p.png) [b](#top) [c](https://e.org/y)") == (
        f"[a]({readme.BLOB_URL}docs/x.md#h) ![i]({readme.RAW_URL}docs/p.png) [b](#top) [c](https://e.org/y)"
    )


def test_a_repo_link_to_a_missing_file_is_caught():
    assert (ROOT / _repo_file(f"{readme.BLOB_URL}docs/api.md")).exists()
    assert not (ROOT / _repo_file(f"{readme.BLOB_URL}docs/no-such-page.md")).exists()


@pytest.mark.parametrize(
    "page", ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
)
def test_relative_links_point_to_existing_files(page):
    """Relative links resolve to files; a #fragment into a markdown file names one of its headings."""
    path = ROOT / page
    for link in _links(path):
        in_repo = _repo_file(link)
        if in_repo is None and re.match(r"^[a-z]+:", link):  # http(s), mailto outside the repository
            continue
        file, _, fragment = (in_repo or link).partition("#")
        target = (ROOT / file) if in_repo is not None else (path.parent / file).resolve() if file else path
        assert target.exists(), f"{page}: {link} points to nothing"
        if fragment and target.suffix == ".md":
            assert fragment in _anchors(target), f"{page}: {link}: no heading #{fragment} in {target.name}"


def test_a_stale_page_is_caught(tmp_path):
    """Editing a generated number by hand makes the page stale."""
    text = (ROOT / "README.md").read_text()
    edited = text.replace("torch==", "torch==9", 1)
    assert edited != text and PAGES["README.md"](edited) != edited
