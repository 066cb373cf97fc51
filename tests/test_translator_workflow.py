"""extract, init, update, stats, preview and the build policy, as a translator meets them."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import polib
import pytest

from leaflets.catalog import gettext_tools
from leaflets.config import load_project
from leaflets.preview import Preview

from .conftest import ROOT, cli, copy_project, pdf_text, pot_messages, reader, set_translation

TEMPLATE = "templates/leaflets/cryoablation/leaflet.html.j2"
OLD = "The cold kills the cancer cells. The tumor then shrinks or slowly goes away."
NEW = "The cold kills the cancer cells. Then the tumor shrinks or slowly goes away."


def msgfmt_stats(path: Path) -> tuple[int, int, int]:
    proc = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C"},
    )
    numbers = {}
    for count, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", proc.stderr):
        numbers[kind] = int(count)
    return numbers.get("translated", 0), numbers.get("fuzzy", 0), numbers.get("untranslated", 0)


def change_english(root: Path) -> None:
    path = root / TEMPLATE
    text = path.read_text(encoding="utf-8")
    assert "The tumor then shrinks or slowly goes away." in text
    path.write_text(
        text.replace("The tumor then shrinks", "Then the tumor shrinks"), encoding="utf-8"
    )


def test_extract_is_idempotent_and_checks_staleness(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    pot = root / "locales/cryoablation.pot"
    before = pot.read_bytes()
    assert cli(root, "extract") == (0, "templates and .pot files agree\n")
    assert cli(root, "extract", "--check")[0] == 0
    assert pot.read_bytes() == before, "an unchanged template rewrote the .pot"
    change_english(root)
    code, output = cli(root, "extract", "--check")
    assert code == 1 and "stale: locales/cryoablation.pot" in output
    assert pot.read_bytes() == before, "--check wrote the file"
    assert cli(root, "extract")[0] == 0
    after = pot.read_bytes()
    assert NEW.encode() in after and OLD.encode() not in after
    assert cli(root, "extract")[0] == 0
    assert pot.read_bytes() == after


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("POT-Creation-Date", "2031-01-01 00:00+0000"),
        ("Generated-By", "Babel 9.99.0"),
        ("X-Generator", "Poedit 9.9"),
        ("PO-Revision-Date", "2031-01-01 00:00+0000"),
    ],
)
def test_lines_tools_rewrite_never_make_a_catalog_stale(
    tmp_path: Path, header: str, value: str
) -> None:
    """A new Babel or Poedit release rewrites these lines by itself: no stale .pot or .po."""
    root = copy_project(tmp_path)
    pot = root / "locales/cryoablation.pot"
    po = root / "locales/es/LC_MESSAGES/cryoablation.po"
    for path in (pot, po):
        text = path.read_text(encoding="utf-8")
        line = f'"{header}: {value}\\n"\n'
        pattern = re.compile(rf'^"{header}: [^"]*\\n"\n', re.MULTILINE)
        if f'"{header}: ' in text:
            text = pattern.sub(line.replace("\\", "\\\\"), text)
        else:
            text = text.replace('"Content-Type:', line + '"Content-Type:', 1)
        path.write_text(text, encoding="utf-8")
        assert f"{header}: {value}" in path.read_text(encoding="utf-8")
    before = pot.read_bytes()
    assert cli(root, "extract", "--check")[0] == 0
    assert cli(root, "update", "--check")[0] == 0
    assert cli(root, "extract")[0] == 0
    assert pot.read_bytes() == before, "only a volatile line differed, yet the .pot was rewritten"


def test_extract_fails_loudly_on_a_syntax_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / TEMPLATE
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = "{% trans %}Broken {% endfor %}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = cli(root, "extract")
    assert code == 1
    assert f"{TEMPLATE}:21: template syntax error" in output


def test_shipped_pot_is_current() -> None:
    assert cli(ROOT, "extract", "--check")[0] == 0
    assert cli(ROOT, "update", "--check")[0] == 0


@pytest.mark.parametrize(
    ("lang", "plural"),
    [("de", "nplurals=2; plural=(n != 1);"), ("pl", "nplurals=3;"), ("id", "nplurals=1;")],
)
def test_init_writes_a_gnu_clean_draft_catalog(tmp_path: Path, lang: str, plural: str) -> None:
    root = copy_project(tmp_path)
    code, output = cli(root, "init", lang)
    assert code == 0, output
    path = root / f"locales/{lang}/LC_MESSAGES/cryoablation.po"
    po = polib.pofile(str(path))
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"].startswith(plural)
    assert po.metadata["X-Review-Status"] == "draft"
    assert len(po) == len(polib.pofile(str(root / "locales/cryoablation.pot")))
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    assert subprocess.run(["msgcat", str(path)], capture_output=True).stdout == path.read_bytes()
    assert cli(root, "update", "--check", "--lang", lang)[0] == 0
    code, output = cli(root, "init", lang)
    assert code == 1 and "catalog exists already" in output


def test_changed_english_turns_fuzzy_and_blocks_the_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    change_english(root)
    assert cli(root, "extract")[0] == 0
    code, output = cli(root, "update", "--check", "--lang", "es")
    assert code == 1 and "stale: locales/es/LC_MESSAGES/cryoablation.po" in output
    assert cli(root, "update")[0] == 0
    path = root / "locales/es/LC_MESSAGES/cryoablation.po"
    po = polib.pofile(str(path))
    entry = po.find(NEW)
    assert entry is not None and entry.fuzzy
    assert entry.previous_msgid == OLD
    assert cli(root, "update", "--check")[0] == 0, "update is not idempotent"
    assert msgfmt_stats(path) == (pot_messages(root) - 1, 1, 0)

    out = tmp_path / "out"
    args = ("build", "--variant", "percutaneous", "--lang", "es", "--out", str(out))
    code, output = cli(root, *args)
    assert code == 1
    assert "locales/es/LC_MESSAGES/cryoablation.po: incomplete translation: 1 fuzzy" in output
    lines = path.read_text(encoding="utf-8").splitlines()
    msgid_line = next(
        n for n, line in enumerate(lines, 1) if n >= entry.linenum and line.startswith("msgid ")
    )
    assert f"(lines {msgid_line})" in output
    assert not list(out.glob("*.pdf"))

    code, output = cli(root, *args, "--allow-incomplete")
    assert code == 0, output
    pdf = (out / "cryoablation_percutaneous_es_letter_clinic.pdf").read_bytes()
    assert NEW in pdf_text(pdf), "the fuzzy message must print in English, not its guess"
    spanish_guess = entry.msgstr
    assert " ".join(spanish_guess.split()) not in pdf_text(pdf)
    for page in reader(pdf).pages:
        assert "Incomplete translation: some text is in English" in " ".join(
            page.extract_text().split()
        )


def test_removed_message_is_kept_obsolete(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / TEMPLATE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("<li>{% trans %}infection{% endtrans %}</li>", ""), encoding="utf-8"
    )
    assert cli(root, "extract")[0] == 0
    assert cli(root, "update", "--lang", "fr")[0] == 0
    po = polib.pofile(str(root / "locales/fr/LC_MESSAGES/cryoablation.po"))
    assert [e.msgid for e in po.obsolete_entries()] == ["infection"]
    code, output = cli(root, "stats", "--lang", "fr", "--format", "json")
    assert code == 0 and '"obsolete": 1' in output


def test_stats_agree_with_msgfmt(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / "locales/vi/LC_MESSAGES/cryoablation.po"
    po = polib.pofile(str(path))
    entries = [e for e in po if not e.obsolete]
    entries[0].flags.append("fuzzy")
    entries[1].msgstr = ""
    entries[2].msgstr = ""
    entries[2].flags.append("fuzzy")  # fuzzy but empty: msgfmt counts it untranslated
    po.save(str(path))
    import json

    code, output = cli(root, "stats", "--format", "json")
    assert code == 0
    for row in json.loads(output):
        counts = (row["translated"], row["fuzzy"], row["untranslated"])
        assert counts == msgfmt_stats(root / row["path"]), row["lang"]
    vi = next(r for r in json.loads(output) if r["lang"] == "vi")
    assert (vi["translated"], vi["fuzzy"], vi["untranslated"]) == (pot_messages(root) - 3, 1, 2)
    assert vi["review_status"] == "draft"


@pytest.mark.parametrize(
    ("tool", "args", "shown"),
    [
        ("msgmerge", ("update", "--lang", "es"), "locales/es/LC_MESSAGES/cryoablation.po"),
        ("msgcat", ("init", "de"), "locales/de/LC_MESSAGES/cryoablation.po"),
    ],
)
def test_a_hung_gettext_tool_is_an_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: str, args: tuple[str, ...], shown: str
) -> None:
    root = copy_project(tmp_path)
    before = {p: p.read_bytes() for p in (root / "locales").rglob("*.po")}
    fake = tmp_path / "bin" / tool
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(gettext_tools, "TOOL_TIMEOUT", 0.5)
    start = time.monotonic()
    code, output = cli(root, *args)
    assert time.monotonic() - start < 20, "the tool was not stopped"
    assert code == 1
    assert output == (
        f"Error: {shown}: {tool} did not finish within 0.5 seconds; nothing was written\n"
    )
    assert {p: p.read_bytes() for p in (root / "locales").rglob("*.po")} == before


def test_fuzzy_and_untranslated_mean_the_same_everywhere(tmp_path: Path) -> None:
    """One definition: a fuzzy entry without a translation is untranslated for check,
    stats, build and sign alike (as msgfmt counts it), and each names the line of the
    msgid, also an indented one."""
    root = copy_project(tmp_path)
    path = root / "locales/es/LC_MESSAGES/cryoablation.po"
    po = polib.pofile(str(path))
    short = [e for e in po if not e.obsolete and not e.msgid_plural and len(e.msgid) < 40]
    empty, guess = short[3], short[4]
    empty.msgstr = ""
    empty.flags.append("fuzzy")
    guess.flags.append("fuzzy")
    po.save(str(path))
    lines = path.read_text(encoding="utf-8").split("\n")
    at = {e.msgid: lines.index(f'msgid "{e.msgid}"') + 1 for e in (empty, guess)}
    lines[at[empty.msgid] - 1] = "  " + lines[at[empty.msgid] - 1]
    path.write_text("\n".join(lines), encoding="utf-8")
    shown = "locales/es/LC_MESSAGES/cryoablation.po"

    code, output = cli(root, "check", str(path))
    assert f"{at[empty.msgid]}: warning untranslated: not translated" in output
    assert f"{at[guess.msgid]}: warning fuzzy: fuzzy entry" in output
    code, output = cli(root, "stats", "--lang", "es", "--format", "json")
    assert code == 0
    assert re.search(r'"fuzzy": 1,\s+"untranslated": 1,', output), output
    assert msgfmt_stats(path)[1:] == (1, 1)
    code, output = cli(root, "build", "--variant", "percutaneous", "--lang", "es")
    lines_shown = ", ".join(str(n) for n in sorted(at.values()))
    assert (
        code == 1
        and (
            f"{shown}: incomplete translation: 1 untranslated and 1 fuzzy (need checking) "
            f"messages (lines {lines_shown})"
        )
        in output
    )
    code, output = cli(root, "review", "sign", "--lang", "es", "--reviewer", "A. Reviewer")
    assert code == 0 and "(not signable: 1 fuzzy, 1 untranslated)" in output


def test_stats_table_and_list_show_review_status() -> None:
    code, output = cli(ROOT, "stats")
    assert code == 0
    total = pot_messages()
    assert re.search(
        rf"cryoablation\s+ar\s+100\.0%\s+{total}\s+0\s+0\s+0\s+0\s+0/{total}\s+"
        "DRAFT, not yet reviewed",
        output,
    )
    code, output = cli(ROOT, "list")
    assert f"ar       100% translated, 0/{total} sealed, DRAFT: not yet reviewed" in output


def test_shipped_catalogs_round_trip_through_gnu_gettext() -> None:
    for path in sorted(ROOT.glob("locales/*/LC_MESSAGES/*.po")):
        subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
        assert (
            subprocess.run(["msgcat", str(path)], capture_output=True).stdout == path.read_bytes()
        )
        assert polib.pofile(str(path)).metadata["X-Review-Status"] == "draft", path


def test_draft_mark_on_every_page_and_gone_when_reviewed(tmp_path: Path, built) -> None:
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang="es", paper="a4").pdf
    pages = reader(pdf).pages
    for page in pages:
        text = " ".join(page.extract_text().split())
        assert "Translation not yet reviewed" in text  # the English half, for staff
    assert "Draft translation, not yet reviewed by a qualified medical translator." in pdf_text(pdf)

    # Only seals in the review ledger make a handout reviewed (a typed header does not:
    # see test_review.py). Signed in a project copy: no shipped translation is sealed.
    root = copy_project(tmp_path)
    sign = ("review", "sign", "--lang", "es", "--reviewer", "A. Reviewer", "--date", "2026-11-01")
    assert cli(root, *sign)[0] == 0
    out = tmp_path / "out"
    assert (
        cli(root, "build", "--variant", "laparoscopic", "--lang", "es", "--out", str(out))[0] == 0
    )
    text = pdf_text((out / "cryoablation_laparoscopic_es_letter_clinic.pdf").read_bytes())
    assert "not yet reviewed" not in text
    assert "reviewed (last signed by A. Reviewer on 2026-11-01)" in cli(root, "list")[1]


def test_preview_renders_again_after_a_save(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    project = load_project(root)
    session = Preview(project, "cryoablation", "percutaneous", "fr", "a4", tmp_path / "preview")
    lines = session.run(interval=0.05)
    first = next(lines)
    assert first.startswith("rendered ") and "draft" in first
    assert next(lines).startswith("watching")
    set_translation(root, "fr", "Benefits", "Les avantages du traitement")
    path = root / "locales/fr/LC_MESSAGES/cryoablation.po"
    second = next(lines)
    assert second.startswith("rendered "), second
    text = pdf_text(session.target.read_bytes())
    assert "Les avantages du traitement" in text
    # A broken save is reported and the watch goes on.
    path.write_text('msgid "x"\nmsgstr "unterminated\n', encoding="utf-8")
    third = next(lines)
    assert third.startswith("error: locales/fr/LC_MESSAGES/cryoablation.po:")
    lines.close()


def test_preview_once_from_the_cli(tmp_path: Path) -> None:
    code, output = cli(
        ROOT,
        "preview",
        "--lang",
        "ko",
        "--variant",
        "laparoscopic",
        "--once",
        "--out",
        str(tmp_path),
    )
    assert code == 0, output
    assert "rendered" in output and "draft" in output
    assert (tmp_path / "preview_cryoablation_laparoscopic_ko_letter_clinic.pdf").is_file()
