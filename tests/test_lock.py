"""requirements.lock: every range of pyproject.toml satisfied, exactly that installed."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def _requirements() -> list[Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    texts = [
        *data["project"]["dependencies"],
        *data["project"]["optional-dependencies"]["dev"],
        *data["build-system"]["requires"],
    ]
    return [Requirement(text) for text in texts]


def test_the_lock_satisfies_every_range_of_pyproject() -> None:
    pins = _pins()
    assert pins, "no pins found in requirements.lock"
    wrong = []
    for req in _requirements():
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None:
            wrong.append(f"{req.name}: not in requirements.lock")
        elif not req.specifier.contains(pinned, prereleases=True):
            wrong.append(f"{req.name}: locked {pinned}, pyproject.toml wants {req.specifier}")
    assert not wrong, "run `make lock`: " + "; ".join(wrong)


def test_every_pin_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_every_locked_package_is_installed_at_its_version() -> None:
    """`make` installs exactly the lock: the figures and byte-identical PDFs depend on it."""
    wrong = []
    for name, version in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            wrong.append(f"{name}: locked {version}, installed {installed}")
    assert not wrong, "run `make setup`: " + "; ".join(wrong)
