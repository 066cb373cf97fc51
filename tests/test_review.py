"""The review seal: signing, derived status after every kind of change, the draft mark,
the print edition's refusal, `review check`, diff, XLIFF and the worksheet.

Signed here: copies of the fixture project (tests/data/fixture), whose catalogs are
test fixtures. No shipped translation is ever sealed; the worksheet's scripts are
checked on the real project, unsigned.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib
import pytest

from leaflets import worksheet
from leaflets.config import Project, load_project
from leaflets.errors import PolicyRefusal
from leaflets.render import BuildRequest, Renderer
from leaflets.review import (
    CHANGED,
    NEVER,
    SEALED,
    CatalogReview,
    catalog_review,
    fingerprint,
    ledger_path,
    project_reviews,
    variant_reviews,
)

from .conftest import (
    FIXTURE,
    ROOT,
    catalog_count,
    cli,
    copy_fixture,
    embedded_fonts,
    pdf_text,
    pot_messages,
    reader,
)

LEAFLET = "visit"
ES = "locales/es/LC_MESSAGES/visit.po"
FR = "locales/fr/LC_MESSAGES/visit.po"
ES_LEDGER = "locales/es/LC_MESSAGES/visit.review.toml"
TEMPLATE = "templates/leaflets/visit/leaflet.html.j2"
REVIEWER = "Dr. Ana Ruiz"
OLD = "Write down your questions and bring a list of your medicines."
# A small change: msgmerge matches the new sentence to the old one (fuzzy).
NEW = "Write down your questions and bring a list of all your medicines."
# Every message of the leaflet: counts follow the text, never a number typed here.
N = pot_messages(FIXTURE, LEAFLET)
# Two messages every handout prints, with their Spanish, and one only one variant does.
FIRST = ("Before your visit", "Antes de su visita")
SECOND = ("When to call us", "Cuándo llamarnos")
EDITED = "Antes de venir"
IN_PERSON_ONLY = ("in-person", "Come to the front desk ten minutes early.")
# The handout that prints IN_PERSON_ONLY, and the other one.
OWN, OTHER = "in-person", "video"
# The heading a test adds a message after, or removes.
HEADING = "<h2>{% trans %}When to call us{% endtrans %}</h2>"


def review_of(root: Path, lang: str = "es") -> CatalogReview:
    project = load_project(root)
    return catalog_review(project, project.leaflet(LEAFLET), lang)


def state_of(review: CatalogReview, source: str, context: str | None = None) -> str:
    found = [
        m for m in review.messages if (m.message.context, m.message.source) == (context, source)
    ]
    assert len(found) == 1, (context, source)
    return found[0].state


def edit(root: Path, change: Callable[[polib.POFile], object]) -> None:
    """Change the es catalog of a copy with polib (which re-wraps everything as it saves)."""
    path = root / ES
    po = polib.pofile(str(path))
    change(po)
    po.save(str(path))


def entry(po: polib.POFile, msgid: str, context: str | None = None) -> polib.POEntry:
    found = po.find(msgid, msgctxt=context) if context else po.find(msgid)
    assert found is not None, msgid
    return found


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    """A copy of the fixture project whose es catalog is sealed by one reviewer."""
    root = copy_fixture(tmp_path, print_profile=True)
    code, output = cli(
        root,
        "review",
        "sign",
        "--lang",
        "es",
        "--reviewer",
        REVIEWER,
        "--credential",
        "Certified medical translator",
        "--date",
        "2026-11-20",
        "--messages",
        "all",
    )
    assert code == 0, output
    assert f"{ES}: signed {N} message(s); {N} of {N} sealed" in output
    return root


def renderer_for(root: Path) -> Renderer:
    return Renderer(load_project(root))


# --- the shipped project stays unsigned -----------------------------------------------------


def test_no_shipped_translation_is_sealed() -> None:
    assert not list(ROOT.glob("locales/**/*.review.toml")), "a shipped catalog has a ledger"
    code, output = cli(ROOT, "review", "status", "--format", "json")
    assert code == 0
    rows = json.loads(output)
    assert len(rows) == catalog_count() == len(load_project(ROOT).settings.languages) - 1
    assert all(r["sealed"] == 0 and not r["reviewed"] for r in rows)
    assert all(r["total"] == r["never_sealed"] > 0 for r in rows)
    code, output = cli(ROOT, "review", "check")
    assert code == 0, output


# --- signing --------------------------------------------------------------------------------


def test_sign_writes_a_ledger_and_a_summary(signed: Path) -> None:
    review = review_of(signed)
    assert (review.sealed, review.changed, review.never, review.total) == (N, 0, 0, N)
    assert review.reviewed
    text = (signed / ES_LEDGER).read_text(encoding="utf-8")
    assert text.count("[[seal]]") == N
    assert 'reviewer = "Dr. Ana Ruiz"' in text and "date = 2026-11-20" in text
    assert 'credential = "Certified medical translator"' in text
    po = polib.pofile(str(signed / ES))
    assert po.metadata["X-Review-Status"] == "reviewed"
    assert po.metadata["X-Reviewed-By"] == REVIEWER
    assert po.metadata["X-Review-Date"] == "2026-11-20"
    assert po.metadata["X-Review-Sealed"] == f"{N} of {N}"
    # The catalog is still laid out as GNU gettext lays it out.
    path = signed / ES
    assert subprocess.run(["msgcat", str(path)], capture_output=True).stdout == path.read_bytes()
    assert cli(signed, "review", "check")[0] == 0
    assert cli(signed, "check", "--lang", "es")[0] == 0
    code, output = cli(signed, "review", "status", "--lang", "es")
    assert code == 0
    assert re.search(
        rf"visit\s+es\s+{N}\s+0\s+0\s+{N}\s+reviewed\s+Dr\. Ana Ruiz on 2026-11-20", output
    )
    # Signing again changes nothing: the ledger diffs only where a seal changes.
    before = (signed / ES_LEDGER).read_bytes(), path.read_bytes()
    code, output = cli(signed, "review", "sign", "--lang", "es", "--reviewer", "Someone Else")
    assert code == 0 and "signed 0 message(s)" in output
    assert ((signed / ES_LEDGER).read_bytes(), path.read_bytes()) == before


def test_list_and_stats_show_sealed_of_total(signed: Path) -> None:
    code, output = cli(signed, "list")
    assert code == 0
    assert (
        f"es       100% translated, {N}/{N} sealed, reviewed (last signed by Dr. Ana Ruiz" in output
    )
    assert f"fr       100% translated, 0/{N} sealed, DRAFT" in output
    code, output = cli(signed, "stats", "--lang", "es,fr", "--format", "json")
    rows = {r["lang"]: r for r in json.loads(output)}
    assert (rows["es"]["sealed"], rows["es"]["sealable"], rows["es"]["review_status"]) == (
        N,
        N,
        "reviewed",
    )
    assert (rows["fr"]["sealed"], rows["fr"]["review_status"]) == (0, "draft")
    code, output = cli(signed, "stats", "--lang", "es")
    assert re.search(rf"es\s+100\.0%.*{N}/{N}\s+reviewed \(last signed by Dr\. Ana Ruiz", output)


# --- every kind of change -------------------------------------------------------------------


def test_an_edited_translation_is_changed_since_sealed(signed: Path) -> None:
    edit(signed, lambda po: setattr(entry(po, FIRST[0]), "msgstr", EDITED))
    review = review_of(signed)
    assert state_of(review, FIRST[0]) == CHANGED
    assert (review.sealed, review.changed, review.total) == ((N - 1), 1, N)
    assert not review.reviewed
    code, output = cli(signed, "review", "check")
    assert code == 1
    line = next(m.message.line for m in review.messages if m.message.source == FIRST[0])
    assert f"{ES}:{line}: error review-changed: changed since Dr. Ana Ruiz sealed it" in output
    assert f"error review-claim: X-Review-Status says reviewed, but 1 of {N}" in output
    # `leaflets check` reports the header that claims too much, too.
    code, output = cli(signed, "check", "--lang", "es")
    assert code == 1 and "review-claim" in output
    # The diff shows the English, the sealed and the current translation side by side.
    code, output = cli(signed, "review", "diff", "--lang", "es")
    assert code == 0
    assert f"{ES}:{line}" in output and f"English:\n  {FIRST[0]}" in output
    assert re.search(rf"{FIRST[1]}\s+\| {EDITED}", output)
    assert "sealed by Dr. Ana Ruiz on 2026-11-20" in output
    # The reviewer signs only what they read.
    code, output = cli(
        signed, "review", "sign", "--lang", "es", "--reviewer", "B. Second", "--date", "2026-11-29"
    )
    assert code == 0 and f"signed 1 message(s); {N} of {N} sealed" in output
    ledger = (signed / ES_LEDGER).read_text(encoding="utf-8")
    assert ledger.count('reviewer = "B. Second"') == 1
    assert ledger.count(f'reviewer = "{REVIEWER}"') == (N - 1)
    po = polib.pofile(str(signed / ES))
    assert po.metadata["X-Reviewed-By"] == f"B. Second; {REVIEWER}"
    assert cli(signed, "review", "check")[0] == 0


@pytest.mark.parametrize(
    "how",
    [
        ["msgcat", "--width=40"],  # re-wrapped
        ["msgcat", "--sort-output"],  # entries re-ordered
        ["msgcat", "--no-location"],  # references dropped
        ["msgcat", "--no-wrap"],
    ],
    ids=["rewrapped", "reordered", "no-references", "no-wrap"],
)
def test_layout_changes_keep_every_seal(signed: Path, how: list[str]) -> None:
    path = signed / ES
    before = path.read_bytes()
    subprocess.run([*how, "-o", str(path), str(path)], check=True)
    assert path.read_bytes() != before
    review = review_of(signed)
    assert (review.sealed, review.total) == (N, N)
    assert cli(signed, "review", "check")[0] == 0


def test_comment_and_reference_edits_keep_seals(signed: Path) -> None:
    def change(po: polib.POFile) -> None:
        for e in po:
            e.comment = "Edited in Weblate."
            e.tcomment = "A translator's note."
            e.occurrences = [("elsewhere.html", "1")]

    edit(signed, change)
    assert review_of(signed).sealed == N


def test_a_new_message_merged_by_update_is_never_sealed(signed: Path) -> None:
    path = signed / TEMPLATE
    text = path.read_text(encoding="utf-8")
    assert HEADING in text
    path.write_text(
        text.replace(HEADING, HEADING + "\n  <p>{% trans %}a new risk{% endtrans %}</p>"),
        encoding="utf-8",
    )
    assert cli(signed, "extract")[0] == 0
    assert cli(signed, "update", "--lang", "es")[0] == 0
    edit(signed, lambda po: setattr(entry(po, "a new risk"), "msgstr", "un riesgo nuevo"))
    review = review_of(signed)
    assert state_of(review, "a new risk") == NEVER
    assert (review.sealed, review.never, review.total) == (N, 1, (N + 1))
    # Nothing sealed changed, but the header still claims the whole catalog.
    code, output = cli(signed, "review", "check")
    assert code == 1 and "review-changed" not in output
    assert f"X-Review-Sealed says {N} of {N}; the ledger seals {N} of {N + 1}" in output
    code, output = cli(signed, "review", "sync")
    assert code == 0 and f"updated {ES}" in output
    assert polib.pofile(str(signed / ES)).metadata["X-Review-Status"] == "draft"
    assert cli(signed, "review", "check")[0] == 0


def test_changed_english_makes_the_message_fuzzy_and_unsealed(signed: Path) -> None:
    path = signed / TEMPLATE
    path.write_text(path.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    assert cli(signed, "extract")[0] == 0
    assert cli(signed, "update", "--lang", "es")[0] == 0
    review = review_of(signed)
    # msgmerge kept the old English (#|): the message is known to have been sealed.
    assert state_of(review, NEW) == CHANGED
    assert (review.sealed, review.changed, review.total) == ((N - 1), 1, N)
    code, output = cli(signed, "review", "diff", "--lang", "es")
    assert "English, when sealed:" in output and "English, now:" in output
    assert "fuzzy" in output
    # A fuzzy message is never sealed.
    code, output = cli(signed, "review", "sign", "--lang", "es", "--reviewer", "B. Second")
    assert code == 0 and "signed 0 message(s)" in output and "1 fuzzy" in output
    assert state_of(review_of(signed), NEW) == CHANGED
    assert cli(signed, "review", "check")[0] == 1
    # Printed in English with --allow-incomplete, it is not sealed: a draft handout.
    out = signed / "out"
    args = ("build", "--variant", OTHER, "--lang", "es", "--out", str(out))
    code, output = cli(signed, *args, "--allow-incomplete")
    assert code == 0, output
    text = pdf_text((out / f"visit_{OTHER}_es_a4_clinic.pdf").read_bytes())
    assert NEW in text, "the fuzzy message prints in English"
    assert "Incomplete translation: some text is in English" in text
    assert "Translation not yet reviewed" in text and "1 of " in text


def test_an_obsolete_message_drops_out(signed: Path) -> None:
    path = signed / TEMPLATE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(HEADING, ""), "utf-8")
    assert cli(signed, "extract")[0] == 0
    assert cli(signed, "update", "--lang", "es")[0] == 0
    po = polib.pofile(str(signed / ES))
    assert [e.msgid for e in po.obsolete_entries()] == [SECOND[0]]
    review = review_of(signed)
    assert (review.sealed, review.total) == ((N - 1), (N - 1)) and review.reviewed
    assert cli(signed, "review", "check")[0] == 0
    # Signing again drops the seal of the message the catalog no longer uses.
    cli(signed, "review", "sign", "--lang", "es", "--reviewer", REVIEWER)
    assert f'source = "{SECOND[0]}"' not in (signed / ES_LEDGER).read_text(encoding="utf-8")


def test_a_fuzzy_flag_unseals(signed: Path) -> None:
    edit(signed, lambda po: entry(po, FIRST[0]).flags.append("fuzzy"))
    review = review_of(signed)
    assert state_of(review, FIRST[0]) == CHANGED
    assert review.sealed == (N - 1)
    code, output = cli(signed, "review", "check")
    assert code == 1 and "marked fuzzy since Dr. Ana Ruiz sealed it" in output


# Spanish as CLDR has it: one, many (a million days) and other.
PLURAL_FORMS = {0: "%(num)s día", 1: "%(num)s días", 2: "%(num)s días"}


def add_plural(po: polib.POFile) -> None:
    """A plural message of its own, for the tests of plural seals."""
    assert po.metadata["Plural-Forms"].startswith(f"nplurals={len(PLURAL_FORMS)};")
    po.append(
        polib.POEntry(
            msgid="%(num)s day",
            msgid_plural="%(num)s days",
            msgstr_plural=dict(PLURAL_FORMS),
            flags=["python-format"],
        )
    )


def test_a_changed_plural_form_unseals(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)

    edit(root, add_plural)
    assert cli(root, "review", "sign", "--lang", "es", "--reviewer", REVIEWER)[0] == 0
    ledger = (root / ES_LEDGER).read_text(encoding="utf-8")
    assert 'source_plural = "%(num)s days"' in ledger
    forms = "".join(f'  "{form}",\n' for form in PLURAL_FORMS.values())
    assert f"translation = [\n{forms}]" in ledger
    assert state_of(review_of(root), "%(num)s day") == SEALED

    def change(po: polib.POFile) -> None:
        entry(po, "%(num)s day").msgstr_plural[1] = "%(num)s jornadas"

    edit(root, change)
    assert state_of(review_of(root), "%(num)s day") == CHANGED
    _code, output = cli(root, "review", "diff", "--lang", "es")
    assert "[form 1]" in output and "jornadas" in output


def test_fingerprints_depend_on_every_string() -> None:
    base = fingerprint("ctx", "day", "days", ["día", "días"])
    assert base == fingerprint("ctx", "day", "days", ("día", "días"))
    others = [
        fingerprint(None, "day", "days", ["día", "días"]),
        fingerprint("", "day", "days", ["día", "días"]),
        fingerprint("ctx", "Day", "days", ["día", "días"]),
        fingerprint("ctx", "day", "", ["día", "días"]),
        fingerprint("ctx", "day", "days", ["día", "dias"]),
        fingerprint("ctx", "day", "days", ["día"]),
    ]
    assert base not in others and len(set(others)) == len(others)


def test_a_typed_header_is_not_a_review(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    edit(
        root,
        lambda po: po.metadata.update(
            {
                "X-Review-Status": "reviewed",
                "X-Reviewed-By": "Nobody",
                "X-Review-Date": "2026-11-01",
            }
        ),
    )
    assert not review_of(root).reviewed
    code, output = cli(root, "review", "check")
    assert code == 1
    assert f"X-Review-Status says reviewed, but {N} of {N} messages are not sealed" in output
    assert "X-Reviewed-By names 'Nobody', who has no current seal" in output
    code, output = cli(root, "check", "--lang", "es")
    assert code == 1 and "error review-claim" in output
    assert "DRAFT" in cli(root, "list")[1]


# --- handouts -------------------------------------------------------------------------------


def test_handouts_follow_the_seals(signed: Path) -> None:
    renderer = renderer_for(signed)
    try:
        lap = BuildRequest(LEAFLET, OWN, "es", "a4")
        perc = BuildRequest(LEAFLET, OTHER, "es", "a4")
        result = renderer.render(lap)
        assert result.catalog.review.status == "reviewed"
        assert "not yet reviewed" not in pdf_text(result.pdf)
        print_lap = BuildRequest(LEAFLET, OWN, "es", "a4", edition="print")
        assert renderer.render(print_lap).catalog.review.status == "reviewed"

        # A message only the in-person handout prints changes.
        def change(po: polib.POFile) -> None:
            e = entry(po, IN_PERSON_ONLY[1], IN_PERSON_ONLY[0])
            e.msgstr = e.msgstr + " (editado)"

        edit(signed, change)
        result = renderer.render(lap)
        review = result.catalog.review
        assert review.is_draft and review.unsealed == 1
        for page in reader(result.pdf).pages:
            assert "Translation not yet reviewed" in " ".join(page.extract_text().split())
        assert f"1 of {review.total} messages unreviewed" in pdf_text(result.pdf)
        with pytest.raises(PolicyRefusal, match="print edition refuses drafts"):
            renderer.render(print_lap)
        allowed = BuildRequest(LEAFLET, OWN, "es", "a4", edition="print", allow_draft=True)
        assert "Translation not yet reviewed" in pdf_text(renderer.render(allowed).pdf)
        # The video handout does not print that message: it stays reviewed.
        other = renderer.render(perc)
        assert other.catalog.review.status == "reviewed"
        assert "not yet reviewed" not in pdf_text(other.pdf)
    finally:
        renderer.close()


def test_a_typed_reviewed_header_keeps_the_draft_mark(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    edit(root, lambda po: po.metadata.update({"X-Review-Status": "reviewed"}))
    out = tmp_path / "out"
    code, output = cli(root, "build", "--variant", OWN, "--lang", "es", "--out", str(out))
    assert code == 0, output
    text = pdf_text((out / f"visit_{OWN}_es_a4_clinic.pdf").read_bytes())
    assert "Translation not yet reviewed" in text
    code, output = cli(
        root,
        "build",
        "--variant",
        OWN,
        "--lang",
        "es",
        "--edition",
        "print",
        "--out",
        str(out),
    )
    assert code == 1 and "print edition refuses drafts" in output


def test_signing_rebuilds_a_skipped_handout(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    args = ("batch", "--lang", "es", "--variant", OTHER, "--jobs", "1", "--out", str(out))
    assert cli(root, *args)[0] == 0
    output = cli(root, *args)[1]
    assert f"skipped  visit_{OTHER}_es_a4_clinic.pdf" in output
    assert cli(root, "review", "sign", "--lang", "es", "--reviewer", REVIEWER)[0] == 0
    _code, output = cli(root, *args)
    assert f"built    visit_{OTHER}_es_a4_clinic.pdf" in output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][0]["review_status"] == "reviewed"


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["review", "sign", "--lang", "{lang}", "--reviewer", "X"],
        ["review", "diff", "--lang", "{lang}"],
        ["review", "status", "--lang", "{lang}"],
        ["review", "check", "--lang", "{lang}"],
        ["review", "sync", "--lang", "{lang}"],
        ["review", "export", "--lang", "{lang}"],
        ["review", "sheet", "--lang", "{lang}"],
    ],
    ids=lambda c: c[1],
)
def test_unknown_language_and_missing_catalog(tmp_path: Path, command: list[str]) -> None:
    root = copy_fixture(tmp_path)
    code, output = cli(root, *[a.format(lang="xx") for a in command])
    project = load_project(root)
    valid = ", ".join(sorted(x for x in project.settings.languages if x != "en"))
    assert code == 2 and f"unknown language 'xx'; valid values: {valid}" in output
    (root / FR).unlink()  # fr stays in leaflets.toml
    code, output = cli(root, *[a.format(lang="fr") for a in command])
    assert code in (1, 2) and "no catalog for fr" in output, output
    assert FR in output


def test_the_source_language_has_nothing_to_review() -> None:
    code, output = cli(ROOT, "review", "diff", "--lang", "en")
    assert code == 2 and "en is the source language" in output


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('format = 1\n\n[[seal]]\nsource = "x\nreviewer = "y"\n', 4, "does not parse"),
        ("format = 2\n", 1, "expected format = 1"),
        ('format = 1\n\n[[seal]]\nsource = "x"\n', 3, "a seal without translation"),
        (
            'format = 1\n\n[[seal]]\nsource = "Before your visit"\n'
            'translation = ["Antes de su visita"]\n'
            'fingerprint = "sha256:00"\nreviewer = "X"\ndate = 2026-11-20\n',
            3,
            "the fingerprint does not match the sealed text",
        ),
        (
            'format = 1\n\n[[seal]]\nsource = "Before your visit"\n'
            'translation = ["Antes de su visita"]\n'
            'fingerprint = "{fp}"\nreviewer = "X"\ndate = "yesterday"\n',
            3,
            "date must be a date",
        ),
    ],
    ids=["syntax", "format", "missing-key", "fingerprint", "date"],
)
def test_a_broken_ledger_names_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    root = copy_fixture(tmp_path)
    fp = fingerprint(None, *FIRST[:1], "", FIRST[1:])
    (root / ES_LEDGER).write_text(text.replace("{fp}", fp), encoding="utf-8")
    for args in (["review", "status"], ["review", "diff", "--lang", "es"], ["list"]):
        code, output = cli(root, *args)
        assert f"{ES_LEDGER}:{line}: review ledger" in output, output
        assert message in output
    code, output = cli(root, "review", "check")
    assert code == 1 and f"{ES_LEDGER}:{line}: error review-ledger" in output
    code, output = cli(root, "build", "--variant", OWN, "--lang", "es", "--out", str(tmp_path))
    assert code == 1 and f"{ES_LEDGER}:{line}:" in output


def test_sign_refuses_bad_options_and_broken_catalogs(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    code, output = cli(root, "review", "sign", "--lang", "es", "--reviewer", "X", "--date", "30/11")
    assert code == 2 and "--date: expected a date like 2026-11-30" in output
    code, output = cli(root, "review", "sign", "--lang", "es", "--reviewer", "  ")
    assert code == 2 and "the name of the reviewer is needed" in output
    edit(root, lambda po: setattr(entry(po, FIRST[0]), "msgstr", FIRST[1] + " %(phone)s"))
    code, output = cli(root, "review", "sign", "--lang", "es", "--reviewer", "X")
    assert code == 1 and f"{ES}:" in output and "placeholder" in output
    assert not (root / ES_LEDGER).exists()


# --- XLIFF ----------------------------------------------------------------------------------


def _export(root: Path, tmp_path: Path, lang: str = "es") -> Path:
    target = tmp_path / f"{lang}.xlf"
    code, output = cli(
        root, "review", "export", "--lang", lang, "--format", "xliff", "-o", str(target)
    )
    assert code == 0, output
    return target


def test_xliff_round_trip_without_change_is_byte_identical(signed: Path, tmp_path: Path) -> None:
    # One sealed message edited since: its unit goes out as "translated", not "signed-off".
    edit(signed, lambda po: setattr(entry(po, FIRST[0]), "msgstr", EDITED))
    files = [signed / ES, signed / ES_LEDGER, signed / FR]
    before = [p.read_bytes() for p in files]
    for lang in ("es", "fr"):
        xlf = _export(signed, tmp_path, lang)
        code, output = cli(signed, "review", "import", str(xlf), "--reviewer", "C. Third")
        assert code == 0, output
        assert "0 message(s) changed, 0 sealed by this import" in output
    assert [p.read_bytes() for p in files] == before
    assert not (signed / "locales/fr/LC_MESSAGES/visit.review.toml").exists()
    text = (tmp_path / "es.xlf").read_text(encoding="utf-8")
    assert 'target-language="es"' in text and f'original="{ES}"' in text
    # Every unit but the edited one is signed off (a plural message is one unit per form).
    units = text.count("<trans-unit ")
    assert units >= N
    assert text.count('state="signed-off"') == units - 1 and text.count('state="translated"') == 1
    assert f'<context context-type="x-po-msgctxt">{OWN}</context>' in text


def test_xliff_changes_come_back_unsealed_unless_signed_off(signed: Path, tmp_path: Path) -> None:
    xlf = _export(signed, tmp_path)
    text = xlf.read_text(encoding="utf-8")
    # A CAT tool changed two units: one left as translated, one signed off as final.
    old = f'<target state="signed-off">{FIRST[1]}</target>'
    assert old in text
    text = text.replace(old, f'<target state="translated">{EDITED}</target>')
    old = f'<target state="signed-off">{SECOND[1]}</target>'
    assert old in text
    text = text.replace(old, '<target state="final">Cuándo nos llama</target>')
    xlf.write_text(text, encoding="utf-8")
    code, output = cli(
        signed, "review", "import", str(xlf), "--reviewer", "C. Third", "--date", "2026-11-30"
    )
    assert code == 0, output
    assert f"2 message(s) changed, 1 sealed by this import; {N - 1} of {N} sealed" in output
    review = review_of(signed)
    assert state_of(review, FIRST[0]) == CHANGED
    assert state_of(review, SECOND[0]) == SEALED
    seal = next(m.seal for m in review.messages if m.message.source == SECOND[0])
    assert seal is not None and (seal.reviewer, seal.date.isoformat()) == ("C. Third", "2026-11-30")
    po = polib.pofile(str(signed / ES))
    assert entry(po, FIRST[0]).msgstr == EDITED
    assert entry(po, SECOND[0]).msgstr == "Cuándo nos llama"
    path = signed / ES
    assert subprocess.run(["msgcat", str(path)], capture_output=True).stdout == path.read_bytes()


def test_xliff_plural_forms(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)

    edit(root, add_plural)
    assert cli(root, "review", "sign", "--lang", "es", "--reviewer", REVIEWER)[0] == 0
    before = (root / ES).read_bytes(), (root / ES_LEDGER).read_bytes()
    xlf = _export(root, tmp_path)
    assert cli(root, "review", "import", str(xlf), "--reviewer", "C. Third")[0] == 0
    assert ((root / ES).read_bytes(), (root / ES_LEDGER).read_bytes()) == before
    text = xlf.read_text(encoding="utf-8")
    old = '<target state="signed-off">%(num)s días</target>'
    # A unit per form: the English singular for form 0, its plural for the others.
    assert text.count("<source>%(num)s day</source>") == 1
    assert old in text and text.count("<source>%(num)s days</source>") == len(PLURAL_FORMS) - 1
    # One form changed (form 1; form 2 reads the same).
    changed = text.replace(old, '<target state="final">%(num)s jornadas</target>', 1)
    xlf.write_text(changed, "utf-8")
    code, output = cli(root, "review", "import", str(xlf), "--reviewer", "C. Third")
    assert code == 0 and "1 message(s) changed, 1 sealed by this import" in output
    po = polib.pofile(str(root / ES))
    assert entry(po, "%(num)s day").msgstr_plural == {**PLURAL_FORMS, 1: "%(num)s jornadas"}
    assert state_of(review_of(root), "%(num)s day") == SEALED


def test_xliff_import_errors(signed: Path, tmp_path: Path) -> None:
    xlf = _export(signed, tmp_path)
    text = xlf.read_text(encoding="utf-8")
    before = (signed / ES).read_bytes(), (signed / ES_LEDGER).read_bytes()
    # A unit that is not a message of the catalog: file and line of the unit.
    bad = re.sub(r'id="m[0-9a-f]{16}"', 'id="m0000000000000000"', text, count=1)
    xlf.write_text(bad, encoding="utf-8")
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if "m0000000000000000" in row)
    code, output = cli(signed, "review", "import", str(xlf), "--reviewer", "X")
    assert code == 1 and f"{xlf}:{line}: unit 'm0000000000000000' is not a message" in output
    # Not XML at all.
    xlf.write_text(text[:400], encoding="utf-8")
    code, output = cli(signed, "review", "import", str(xlf), "--reviewer", "X")
    assert code == 1 and f"{xlf}:" in output and "not an XLIFF file" in output
    # Text that breaks a placeholder is refused, pointing at its unit.
    broken = text.replace("Página %(page)s de %(pages)s</target>", "Página %(page)s</target>")
    assert broken != text
    xlf.write_text(broken, encoding="utf-8")
    code, output = cli(signed, "review", "import", str(xlf), "--reviewer", "X")
    assert code == 1 and "refused, nothing imported: placeholder" in output
    assert re.search(rf"{re.escape(str(xlf))}:\d+: refused", output)
    # A file for another project's catalog.
    xlf.write_text(text.replace('original="locales/es/', 'original="elsewhere/es/'), "utf-8")
    code, output = cli(signed, "review", "import", str(xlf), "--reviewer", "X")
    assert code == 1 and "not a catalog of this project" in output
    assert ((signed / ES).read_bytes(), (signed / ES_LEDGER).read_bytes()) == before
    code, output = cli(signed, "review", "import", str(tmp_path / "missing.xlf"), "--reviewer", "X")
    assert code == 1 and "cannot read" in output


# --- the worksheet --------------------------------------------------------------------------


def test_worksheet_lists_what_needs_review_in_both_languages(signed: Path, tmp_path: Path) -> None:
    edit(signed, lambda po: setattr(entry(po, FIRST[0]), "msgstr", EDITED))
    out = tmp_path / "sheets"
    code, output = cli(signed, "review", "sheet", "--lang", "es", "--out", str(out))
    assert code == 0, output
    assert "(1 message(s) to review)" in output
    text = pdf_text((out / "visit_es_review.pdf").read_bytes())
    assert FIRST[0] in text and EDITED in text and FIRST[1] in text
    assert "changed since sealed by Dr. Ana Ruiz" in text
    assert SECOND[0] not in text  # sealed: nothing to read again

    # The real project's scripts, none of them sealed: every message to review. The
    # sheets go to --out; the project is only read.
    code, output = cli(ROOT, "review", "sheet", "--lang", "zh_Hans", "--out", str(out))
    assert code == 0 and f"({pot_messages()} message(s) to review)" in output
    pdf = (out / "cryoablation_zh_Hans_review.pdf").read_bytes()
    text = pdf_text(pdf)
    assert "What is cryoablation?" in text and "什么是冷冻消融" in text.replace(" ", "")
    assert sorted(name.split("+")[-1] for name in embedded_fonts(pdf)) == ["lf-latin", "lf-sc"]

    code, output = cli(ROOT, "review", "sheet", "--lang", "ar", "--out", str(out))
    assert code == 0
    html = (out / "cryoablation_ar_review.html").read_text(encoding="utf-8")
    assert 'lang="ar" dir="rtl"' in html
    pdf = (out / "cryoablation_ar_review.pdf").read_bytes()
    # The project's own Arabic and Latin faces, and no fallback to any other font.
    assert sorted(name.split("+")[-1] for name in embedded_fonts(pdf)) == ["lf-arabic", "lf-latin"]
    assert "What is cryoablation?" in pdf_text(pdf)


@pytest.mark.hostile
@pytest.mark.parametrize("level", [logging.WARNING, logging.ERROR])
def test_a_worksheet_returns_and_logs_its_warnings_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    level: int,
) -> None:
    """The renderer's own collector: the warnings are returned whatever the process's
    logging level, and logged with the worksheet's name as far as that level lets them."""
    monkeypatch.setattr(worksheet, "SHEET_CSS", worksheet.SHEET_CSS + "p { colour: red; }")
    project = load_project(FIXTURE)
    with caplog.at_level(level, logger="weasyprint"):
        sheet = worksheet.write_sheet(project, project.leaflet(LEAFLET), "es", tmp_path)
    [warning] = sheet.warnings
    assert warning.startswith("Ignored `colour: red`")
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    expected = [f"{LEAFLET}_es_review.pdf: {warning}"]
    assert logged == (expected if level == logging.WARNING else [])
    assert sheet.pdf.read_bytes().startswith(b"%PDF-")


def test_project_reviews_api_for_the_desk(signed: Path) -> None:
    project: Project = load_project(signed)
    reviews = {r.lang: r for r in project_reviews(project)}
    rows = {lang: r.as_dict() for lang, r in reviews.items()}
    assert rows["es"]["sealed"] == rows["es"]["total"] == N
    assert rows["es"]["last_signed_by"] == REVIEWER
    assert rows["fr"]["sealed"] == 0 and rows["fr"]["reviewed"] is False
    assert ledger_path(signed / ES) == signed / ES_LEDGER
    handouts = variant_reviews(project.leaflet(LEAFLET), reviews["es"])
    assert handouts[OWN].status == handouts[OTHER].status == "reviewed"


def test_status_json_per_handout(signed: Path) -> None:
    def change(po: polib.POFile) -> None:
        e = entry(po, IN_PERSON_ONLY[1], IN_PERSON_ONLY[0])
        e.msgstr = e.msgstr + " (editado)"

    edit(signed, change)
    code, output = cli(signed, "review", "status", "--lang", "es", "--format", "json")
    assert code == 0
    (row,) = json.loads(output)
    assert (row["sealed"], row["changed"], row["reviewed"]) == ((N - 1), 1, False)
    assert row["handouts"][OTHER]["reviewed"] is True
    lap = row["handouts"][OWN]
    assert lap["reviewed"] is False and lap["sealed"] == lap["total"] - 1


# --- each kind of change, on the handout itself ---------------------------------------------


def _edit_translation(root: Path) -> None:
    edit(root, lambda po: setattr(entry(po, FIRST[0]), "msgstr", EDITED))


def _msgcat(*flags: str) -> Callable[[Path], None]:
    def run(root: Path) -> None:
        path = root / ES
        subprocess.run(["msgcat", *flags, "-o", str(path), str(path)], check=True)

    return run


def _template(old: str, new: str) -> Callable[[Path], None]:
    def run(root: Path) -> None:
        path = root / TEMPLATE
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        assert cli(root, "extract")[0] == 0
        assert cli(root, "update", "--lang", "es")[0] == 0

    return run


def _new_message(root: Path) -> None:
    _template(HEADING, HEADING + "\n  <p>{% trans %}a new risk{% endtrans %}</p>")(root)
    edit(root, lambda po: setattr(entry(po, "a new risk"), "msgstr", "un riesgo nuevo"))


def _fuzzy_flag(root: Path) -> None:
    edit(root, lambda po: entry(po, FIRST[0]).flags.append("fuzzy"))


def _plural_changed(root: Path) -> None:
    def change(po: polib.POFile) -> None:
        entry(po, "%(num)s day").msgstr_plural[1] = "%(num)s jornadas"

    edit(root, change)


@pytest.mark.parametrize(
    ("change", "handout_reviewed", "check_fails"),
    [
        (_edit_translation, False, True),
        (_msgcat("--width=30"), True, False),
        (_msgcat("--sort-output"), True, False),
        (_new_message, False, True),  # never sealed; the header still claims all
        (_template(OLD, NEW), False, True),
        (_template(HEADING, ""), True, False),
        (_fuzzy_flag, False, True),
        (_plural_changed, True, True),  # a message this handout does not print
    ],
    ids=[
        "translation-edited",
        "rewrapped",
        "reordered",
        "new-message-merged",
        "english-changed-fuzzy",
        "made-obsolete",
        "fuzzy-flag-added",
        "plural-form-changed",
    ],
)
def test_each_change_on_the_handout(
    tmp_path: Path, change: Callable[[Path], None], handout_reviewed: bool, check_fails: bool
) -> None:
    root = copy_fixture(tmp_path, print_profile=True)

    edit(root, add_plural)
    assert cli(root, "review", "sign", "--lang", "es", "--reviewer", REVIEWER)[0] == 0
    change(root)
    assert (cli(root, "review", "check")[0] == 1) is check_fails
    renderer = renderer_for(root)
    try:
        # Fuzzy messages print in English only when asked: ask, so that the review
        # status is what the handout shows.
        clinic = BuildRequest(LEAFLET, OTHER, "es", "a4", allow_incomplete=True)
        result = renderer.render(clinic)
        assert (result.catalog.review.status == "reviewed") is handout_reviewed
        pages = [" ".join(p.extract_text().split()) for p in reader(result.pdf).pages]
        for page in pages:
            assert ("Translation not yet reviewed" not in page) is handout_reviewed
        printed = BuildRequest(LEAFLET, OTHER, "es", "a4", edition="print", allow_incomplete=True)
        if handout_reviewed:
            assert renderer.render(printed).catalog.review.status == "reviewed"
        else:
            with pytest.raises(PolicyRefusal, match="print edition refuses drafts"):
                renderer.render(printed)
    finally:
        renderer.close()
