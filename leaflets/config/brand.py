"""A brand profile (templates/brands/<name>/brand.toml): name, logos, RGB and CMYK
colours, phones and fever threshold; logo SVGs that could reach outside are refused."""

from __future__ import annotations

import re
import xml.parsers.expat
from pathlib import Path

from ..errors import LeafletsError
from .model import Brand
from .reading import FileProblems, read_toml

_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_SVG_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]*)", re.IGNORECASE)
_SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed"}


def svg_problem(path: Path) -> tuple[int, str] | None:
    """(line, reason) for the first thing in a logo SVG that could reach outside it:
    links to other files or URLs, @import, entities, scripts. The renderer would refuse
    the fetch anyway; saying so here names the logo and its line."""

    found: list[tuple[int, str]] = []
    parser = xml.parsers.expat.ParserCreate()

    def here() -> int:
        return int(parser.CurrentLineNumber)

    def check_value(value: str, what: str) -> None:
        for target in _SVG_URL.findall(value):
            if target and not target.startswith("#"):
                found.append((here(), f"{what} refers to {target[:80]!r}"))
        if "@import" in value:
            found.append((here(), f"{what} uses @import"))

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local in _SVG_FORBIDDEN:
            found.append((here(), f"<{name}> is not allowed in a logo"))
        for key, value in attrs.items():
            if key.rsplit(":", 1)[-1] in ("href", "src") and not value.startswith("#"):
                found.append((here(), f"{key}={value[:80]!r} refers to another file or URL"))
            elif key.lower().startswith("on"):
                found.append((here(), f"event handler {key} is not allowed in a logo"))
            else:
                check_value(value, f"attribute {key}")

    def text(data: str) -> None:
        check_value(data, "style")

    def doctype(*args: object) -> None:
        found.append((here(), "a DOCTYPE (entities could pull in other files) is not allowed"))

    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(path.read_bytes(), True)
    except xml.parsers.expat.ExpatError as exc:
        found.append(
            (exc.lineno, f"not a valid SVG file: {xml.parsers.expat.errors.messages[exc.code]}")
        )
    except OSError as exc:
        found.append((1, f"cannot read: {exc.strerror}"))
    return min(found) if found else None


def load_brand(folder: Path, root: Path, problems: list[LeafletsError]) -> Brand | None:
    path = folder / "brand.toml"
    data = read_toml(path, root, problems)
    if data is None:
        return None
    p = FileProblems(path, root)
    p.unknown(
        data, {"name", "logo", "logo_print", "footer", "colors", "colors_cmyk", "phones", "fever"}
    )
    name = p.get(data, "name", str)
    footer = p.get(data, "footer", str)
    logos: dict[str, Path] = {}
    for key in ("logo", "logo_print"):
        logo_name = p.get(data, key, str)
        if logo_name is None:
            continue
        logo = (folder / logo_name).resolve()
        if not logo.is_relative_to(folder.resolve()):
            p.add(key, "must be a file inside the brand's folder")
        elif not logo.is_file():
            p.add(key, f"file {logo_name!r} not found")
        elif logo.suffix.lower() == ".svg" and (fault := svg_problem(logo)) is not None:
            p.items.append(LeafletsError(fault[1], logo.relative_to(root), fault[0]))
        logos[key] = logo
    cmyk: dict[str, tuple[float, float, float, float]] = {}
    raw_cmyk = p.get(data, "colors_cmyk", dict) or {}
    for key in ("primary", "accent", "tint"):
        value = p.get(raw_cmyk, key, list, "colors_cmyk.") if raw_cmyk else None
        if value is None:
            continue
        if len(value) != 4 or not all(
            isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= 100 for x in value
        ):
            p.add(f"colors_cmyk.{key}", "must be four percentages [C, M, Y, K] from 0 to 100")
            continue
        cmyk[key] = (float(value[0]), float(value[1]), float(value[2]), float(value[3]))
    colors = p.get(data, "colors", dict) or {}
    for key in ("primary", "accent", "tint"):
        value = p.get(colors, key, str, "colors.") if colors else None
        if value is not None and not _COLOR_RE.match(value):
            p.add(f"colors.{key}", f"must be a colour like #1a2b3c, not {value!r}")
    phones = p.get(data, "phones", dict) or {}
    for key in ("appointments", "after_hours"):
        if phones:
            p.get(phones, key, str, "phones.")
    fever = p.get(data, "fever", dict) or {}
    fever_value = p.get(fever, "value", (int, float), "fever.") if fever else None
    fever_unit = p.get(fever, "unit", str, "fever.") if fever else None
    if fever_unit is not None and fever_unit not in ("F", "C"):
        p.add("fever.unit", f"must be 'F' or 'C', not {fever_unit!r}")
    if isinstance(fever_value, int | float) and fever_unit in ("F", "C"):
        celsius = (fever_value - 32) * 5 / 9 if fever_unit == "F" else fever_value
        if not 37.5 <= celsius <= 40:
            p.add("fever.value", f"{fever_value} °{fever_unit} is not a plausible fever threshold")
    problems.extend(p.items)
    if p.items:
        return None
    return Brand(
        id=folder.name,
        name=name,
        logo=logos["logo"],
        logo_print=logos["logo_print"],
        cmyk=cmyk,
        footer=footer,
        primary=colors["primary"],
        accent=colors["accent"],
        tint=colors["tint"],
        phone_appointments=phones["appointments"],
        phone_after_hours=phones["after_hours"],
        fever_value=float(fever_value),  # type: ignore[arg-type]
        fever_unit=str(fever_unit),
        folder=folder,
    )
