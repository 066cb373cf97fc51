"""``leaflets new``: start a leaflet folder the way the project expects one.

The files it writes are a working leaflet: metadata that validates, and a template
that extends the shared page frame, with a translator comment on every message and
the variant-only messages under their variant's context. The content owner
replaces the example text; ``leaflets extract`` then puts it in a catalog.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import tomllib
import unicodedata
from pathlib import Path

from .errors import LeafletsError, UsageProblem
from .files import write_atomic

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

_META = """\
# Metadata of the {id} leaflet. The title and variant labels are English source
# text: `leaflets extract` puts them in the catalog.
id = "{id}"
title = {title}
version = "0.1.0"
# The date a clinician last checked the content, and when it is due again.
last_medical_review = {today}
next_review = {next_review}
# The most pages a handout may have, on A4 and Letter, in every language.
page_budget = 4

[page_budgets]
large-print = 12
bilingual = 8

# Each variant is one version of the handout; messages that belong to one
# variant only carry its id as their context in the template.
[variants.{first}]
label = {first_label}

[variants.{second}]
label = {second_label}

# Numbers the text uses, formatted for each language by the software, never
# typed by a translator: {{{{ example_days }}}} in the template.
[facts]
example_days = 3
"""

_TEMPLATE = """\
{{%- extends "base.html.j2" -%}}
{{#- The {id} leaflet. Every patient-facing sentence is a gettext message with a
    translator comment. Messages that belong to one variant carry that variant
    as context ("{first}" or "{second}"); all others are shared. -#}}
{{%- set first = variant.id == "{first}" -%}}
{{% block content %}}

<h1 class="title">{{{{ title }}}}</h1>
<p class="subtitle">{{{{ variant_label }}}}</p>

<section>
  {{#- Translators: Section heading. -#}}
  <h2>{{% trans %}}What is this about?{{% endtrans %}}</h2>
  {{#- Translators: First paragraph of the section "What is this about?". -#}}
  <p>{{% trans trimmed %}}
    Replace this sentence with the first thing a patient needs to know.
  {{% endtrans %}}</p>
  {{% if first %}}
  {{#- Translators: Paragraph in "What is this about?", {first} handout only. -#}}
  <p>{{% trans "{first}" trimmed %}}
    This sentence appears only in the {first} handout.
  {{% endtrans %}}</p>
  {{% else %}}
  {{#- Translators: Paragraph in "What is this about?", {second} handout only. -#}}
  <p>{{% trans "{second}" trimmed %}}
    This sentence appears only in the {second} handout.
  {{% endtrans %}}</p>
  {{% endif %}}
  {{#- Translators: A sentence with a number of days filled in by the software;
      the word for "days" takes the plural form the number needs. -#}}
  <p>{{% trans trimmed count=counts.example_days, days=example_days %}}
    Most people feel better within {{{{ days }}}} day.
  {{% pluralize %}}
    Most people feel better within {{{{ days }}}} days.
  {{% endtrans %}}</p>
</section>

<section class="call-box">
  {{#- Translators: Heading of the highlighted box that tells patients when to phone. -#}}
  <h2>{{% trans %}}When to call your care team{{% endtrans %}}</h2>
  {{#- Translators: Line in the "When to call" box. phone is a phone number
      filled in by the software. -#}}
  <p>{{% trans trimmed phone=phone_after_hours %}}
    Call us at {{{{ phone }}}} if you are worried.
  {{% endtrans %}}</p>
</section>

{{% endblock %}}
"""


def new_leaflet(
    root: Path,
    leaflet_id: str,
    title: str | None = None,
    variants: tuple[str, str] = ("standard", "short"),
    today: dt.date | None = None,
) -> list[Path]:
    """Write ``templates/leaflets/<id>/`` (metadata and template) in the project at
    ``root``; return the files written, relative to it. Refuses an id that exists or
    is malformed. Needs no valid project: it also starts the first leaflet."""
    if not _ID.match(leaflet_id):
        raise UsageProblem(
            f"leaflet id {leaflet_id!r}: use lower-case letters, digits, - and _ "
            "(at most 64), starting with a letter or digit"
        )
    for variant in variants:
        if not _ID.match(variant):
            raise UsageProblem(f"variant id {variant!r}: use lower-case letters, digits, - and _")
    if variants[0] == variants[1]:
        raise UsageProblem("the two variants need different ids")
    title = (title or leaflet_id.replace("-", " ").replace("_", " ").capitalize()).strip()
    if not title or any(unicodedata.category(c).startswith("C") for c in title):
        raise UsageProblem("--title: a title of one line, without control characters")
    folder = root / "templates" / "leaflets" / leaflet_id
    if folder.exists():
        raise LeafletsError("a leaflet with this id exists already", folder.relative_to(root))
    today = today or dt.date.today()
    try:
        next_review = today.replace(year=today.year + 2)
    except ValueError:  # 29 February
        next_review = today.replace(year=today.year + 2, day=28)
    words = {
        "id": leaflet_id,
        # A TOML basic string: JSON's escapes (\\, \", \uXXXX) are TOML's too.
        "title": json.dumps(title, ensure_ascii=False),
        "today": today.isoformat(),
        "next_review": next_review.isoformat(),
        "first": variants[0],
        "second": variants[1],
        "first_label": json.dumps(variants[0].replace("-", " ").replace("_", " ").capitalize()),
        "second_label": json.dumps(variants[1].replace("-", " ").replace("_", " ").capitalize()),
    }
    files = {
        "leaflet.toml": _META.format(**words),
        "leaflet.html.j2": _TEMPLATE.format(**words),
    }
    tomllib.loads(files["leaflet.toml"])  # what we write must parse: a bug here, not input
    # The folder appears whole or not at all: written beside its place, then renamed.
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{leaflet_id}.", dir=folder.parent))
    try:
        for name, text in files.items():
            write_atomic(scratch / name, text.encode("utf-8"))
        os.chmod(scratch, 0o755)
        os.rename(scratch, folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return [(folder / name).relative_to(root) for name in files]
