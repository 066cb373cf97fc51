"""extract, init, update, stats, preview and the build policy, as a translator meets them.

The catalog mechanics run on copies of the small fixture project; what the shipped
catalogs and the real leaflet must be runs on the real project, read only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import polib
import pytest

from leaflets.catalog import gettext_tools, load_catalog
from leaflets.config import load_project
from leaflets.locale import locale_info
from leaflets.preview import Preview

from .conftest import (
    ROOT,
    catalog_count,
    cli,
    copy_fixture,
    pdf_text,
    pot_messages,
    reader,
    set_translation,
)
from .text_layer import pdftotext

LEAFLET = "visit"
TEMPLATE = "templates/leaflets/visit/leaflet.html.j2"
POT = "locales/visit.pot"
ES = "locales/es/LC_MESSAGES/visit.po"
FR = "locales/fr/LC_MESSAGES/visit.po"
OLD = "Write down your questions and bring a list of your medicines."
NEW = "Write down your questions and bring a list of all your medicines."
HEADING = "<h2>{% trans %}When to call us{% endtrans %}</h2>"


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
    assert OLD in text
    path.write_text(text.replace(OLD, NEW), encoding="utf-8")


def test_extract_is_idempotent_and_checks_staleness(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    pot = root / POT
    before = pot.read_bytes()
    assert cli(root, "extract") == (0, "templates and .pot files agree\n")
    assert cli(root, "extract", "--check")[0] == 0
    assert pot.read_bytes() == before, "an unchanged template rewrote the .pot"
    change_english(root)
    code, output = cli(root, "extract", "--check")
    assert code == 1 and f"stale: {POT}" in output
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
    root = copy_fixture(tmp_path)
    pot = root / POT
    po = root / ES
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
    root = copy_fixture(tmp_path)
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
    root = copy_fixture(tmp_path)
    code, output = cli(root, "init", lang)
    assert code == 0, output
    path = root / f"locales/{lang}/LC_MESSAGES/visit.po"
    po = polib.pofile(str(path))
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"].startswith(plural)
    assert po.metadata["X-Review-Status"] == "draft"
    assert len(po) == len(polib.pofile(str(root / POT))) == pot_messages(root, LEAFLET)
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    assert subprocess.run(["msgcat", str(path)], capture_output=True).stdout == path.read_bytes()
    assert cli(root, "update", "--check", "--lang", lang)[0] == 0
    code, output = cli(root, "init", lang)
    assert code == 1 and "catalog exists already" in output


def test_changed_english_turns_fuzzy_and_blocks_the_build(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    change_english(root)
    assert cli(root, "extract")[0] == 0
    code, output = cli(root, "update", "--check", "--lang", "es")
    assert code == 1 and f"stale: {ES}" in output
    assert cli(root, "update")[0] == 0
    path = root / ES
    po = polib.pofile(str(path))
    entry = po.find(NEW)
    assert entry is not None and entry.fuzzy
    assert entry.previous_msgid == OLD
    assert cli(root, "update", "--check")[0] == 0, "update is not idempotent"
    assert msgfmt_stats(path) == (pot_messages(root, LEAFLET) - 1, 1, 0)

    out = tmp_path / "out"
    args = ("build", "--variant", "in-person", "--lang", "es", "--out", str(out))
    code, output = cli(root, *args)
    assert code == 1
    assert f"{ES}: incomplete translation: 1 fuzzy" in output
    lines = path.read_text(encoding="utf-8").splitlines()
    msgid_line = next(
        n for n, line in enumerate(lines, 1) if n >= entry.linenum and line.startswith("msgid ")
    )
    assert f"(lines {msgid_line})" in output
    assert not list(out.glob("*.pdf"))

    code, output = cli(root, *args, "--allow-incomplete")
    assert code == 0, output
    pdf = (out / "visit_in-person_es_a4_clinic.pdf").read_bytes()
    assert NEW in pdf_text(pdf), "the fuzzy message must print in English, not its guess"
    spanish_guess = entry.msgstr
    assert " ".join(spanish_guess.split()) not in pdf_text(pdf)
    for page in reader(pdf).pages:
        assert "Incomplete translation: some text is in English" in " ".join(
            page.extract_text().split()
        )


def test_removed_message_is_kept_obsolete(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    path = root / TEMPLATE
    text = path.read_text(encoding="utf-8")
    assert HEADING in text
    path.write_text(text.replace(HEADING, ""), encoding="utf-8")
    assert cli(root, "extract")[0] == 0
    assert cli(root, "update", "--lang", "fr")[0] == 0
    po = polib.pofile(str(root / FR))
    assert [e.msgid for e in po.obsolete_entries()] == ["When to call us"]
    code, output = cli(root, "stats", "--lang", "fr", "--format", "json")
    assert code == 0 and '"obsolete": 1' in output


def stats_rows(root: Path) -> list[dict[str, object]]:
    code, output = cli(root, "stats", "--format", "json")
    assert code == 0
    rows: list[dict[str, object]] = json.loads(output)
    for row in rows:
        counts = (row["translated"], row["fuzzy"], row["untranslated"])
        assert counts == msgfmt_stats(root / str(row["path"])), row["lang"]
    return rows


def test_stats_of_every_shipped_catalog_agree_with_msgfmt() -> None:
    rows = stats_rows(ROOT)
    assert len(rows) == catalog_count()
    assert all(row["untranslated"] == row["fuzzy"] == 0 for row in rows)


def test_stats_agree_with_msgfmt(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    path = root / FR
    po = polib.pofile(str(path))
    entries = [e for e in po if not e.obsolete]
    entries[0].flags.append("fuzzy")
    entries[1].msgstr = ""
    entries[2].msgstr = ""
    entries[2].flags.append("fuzzy")  # fuzzy but empty: msgfmt counts it untranslated
    po.save(str(path))
    rows = stats_rows(root)
    fr = next(r for r in rows if r["lang"] == "fr")
    total = pot_messages(root, LEAFLET)
    assert (fr["translated"], fr["fuzzy"], fr["untranslated"]) == (total - 3, 1, 2)
    assert fr["review_status"] == "draft"


@pytest.mark.parametrize(
    ("tool", "args", "shown"),
    [
        ("msgmerge", ("update", "--lang", "es"), ES),
        ("msgcat", ("init", "de"), "locales/de/LC_MESSAGES/visit.po"),
    ],
)
def test_a_hung_gettext_tool_is_an_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: str, args: tuple[str, ...], shown: str
) -> None:
    root = copy_fixture(tmp_path)
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
    root = copy_fixture(tmp_path)
    path = root / ES
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
    shown = ES

    code, output = cli(root, "check", str(path))
    assert f"{at[empty.msgid]}: warning untranslated: not translated" in output
    assert f"{at[guess.msgid]}: warning fuzzy: fuzzy entry" in output
    code, output = cli(root, "stats", "--lang", "es", "--format", "json")
    assert code == 0
    assert re.search(r'"fuzzy": 1,\s+"untranslated": 1,', output), output
    assert msgfmt_stats(path)[1:] == (1, 1)
    code, output = cli(root, "build", "--variant", "in-person", "--lang", "es")
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
    # see test_review.py). Signed in a copy of the fixture project, whose page frame is
    # the real one: no shipped translation is ever sealed.
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    build = ("build", "--variant", "in-person", "--lang", "es", "--out", str(out))
    assert cli(root, *build)[0] == 0
    draft = pdf_text((out / "visit_in-person_es_a4_clinic.pdf").read_bytes())
    assert "Translation not yet reviewed" in draft
    sign = ("review", "sign", "--lang", "es", "--reviewer", "A. Reviewer", "--date", "2026-11-01")
    assert cli(root, *sign)[0] == 0
    assert cli(root, *build)[0] == 0
    text = pdf_text((out / "visit_in-person_es_a4_clinic.pdf").read_bytes())
    assert "not yet reviewed" not in text and "Antes de su visita" in text
    assert "reviewed (last signed by A. Reviewer on 2026-11-01)" in cli(root, "list")[1]


def test_preview_renders_again_after_a_save(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    project = load_project(root)
    session = Preview(project, LEAFLET, "in-person", "fr", "a4", tmp_path / "preview")
    lines = session.run(interval=0.05)
    first = next(lines)
    assert first.startswith("rendered ") and "draft" in first
    assert next(lines).startswith("watching")
    set_translation(root, "fr", "Before your visit", "Avant la visite", leaflet=LEAFLET)
    path = root / FR
    second = next(lines)
    assert second.startswith("rendered "), second
    text = pdf_text(session.target.read_bytes())
    assert "Avant la visite" in text and "Avant votre visite" not in text
    # A broken save is reported and the watch goes on.
    path.write_text('msgid "x"\nmsgstr "unterminated\n', encoding="utf-8")
    third = next(lines)
    assert third.startswith(f"error: {FR}:")
    lines.close()


def test_preview_once_from_the_cli(tmp_path: Path) -> None:
    """One render of a real language: the file the command names is that handout."""
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
    target = tmp_path / "preview_cryoablation_laparoscopic_ko_letter_clinic.pdf"
    match = re.search(
        rf"rendered {re.escape(str(target))} in [\d.]+ s, (\d+) pages \(draft\)", output
    )
    assert match, output
    pdf = target.read_bytes()
    doc = reader(pdf)
    project = load_project(ROOT)
    assert len(doc.pages) == int(match.group(1)) <= project.leaflets["cryoablation"].page_budget
    assert doc.trailer["/Root"]["/Lang"] == locale_info("ko").bcp47
    korean = load_catalog(project, project.leaflets["cryoablation"], "ko").translations
    text = "".join(pdftotext(pdf).split())
    # Korean headings and the laparoscopic variant's label: that language, that variant.
    shown = [korean.gettext(h) for h in ("What is cryoablation?", "During the procedure")]
    shown.append(korean.pgettext("variant label", "Laparoscopic (through a few small cuts)"))
    for translated in shown:
        assert re.search("[\uac00-\ud7a3]", translated), translated  # Hangul
        assert "".join(translated.split()) in text, translated
    for page in doc.pages:  # the draft mark, in English for staff, on every page
        assert "Translation not yet reviewed" in " ".join(page.extract_text().split())
