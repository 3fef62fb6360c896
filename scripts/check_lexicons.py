#!/usr/bin/env python3
"""Check the actor gazetteer files under `src/quanhe/lexicons/{vi,en}/`.

Prints one line per problem (`path:line: message`) and exits 1 if there is any, else prints a summary and
exits 0. What it checks:

- every file starts with `#` comment lines (source and review notes) and has the expected header; every row has
  exactly the header's cells, no cell has surrounding spaces, and all text is NFC with modern tone placement
  ("hòa", not "hoà": `quanhe.text.normalize.normalize_tone_placement` leaves it unchanged);
- codes: countries are ISO 3166-1 alpha-3 from pycountry, or SUN / XKX; IGO rows use a known IGO code
  (IGO_CODES: the codes in conventions.md plus the extra acronyms listed below); sectors are one of
  GOV MIL DIP LEG JUD MED BUS REB CVL IGO; kinds, `takes_country` and `ambiguous` take their allowed values;
- dates in people.tsv are YYYY, YYYY-MM or YYYY-MM-DD, real dates, and start <= end;
- duplicates: a surface (compared with `quanhe.text.normalize.fold`, as the matcher does) appears once per file
  (in countries.tsv twice only if every row is marked ambiguous), and in only one of countries / capitals /
  institutions / media of a language; a person's alias belongs to one person; (name, role, start) is unique;
- titles never contain a country (unless ambiguous), capital, institution or media surface, so that the matcher
  still finds the institution inside "người phát ngôn Điện Kremlin";
- consistency: one canonical name per country code, the same in vi/ and en/; capitals, institutions and media
  use the same canonical names with the same codes in both languages; people.tsv is identical in both;
  countries.tsv is what scripts/build_countries.py generates now (not stale).

Run from the repository root:   .venv/bin/python scripts/check_lexicons.py
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from quanhe.model import SECTORS  # noqa: E402
from quanhe.text.normalize import fold, normalize_tone_placement  # noqa: E402

LEXICONS = ROOT / "src" / "quanhe" / "lexicons"
LANGS = ("vi", "en")

CONVENTION_IGOS = {"UN", "NATO", "EU", "ASEAN", "AU", "G7", "G20", "OPEC", "IAEA", "WHO", "ICC", "BRICS", "SCO", "OSCE"}
# Further IGOs coded by their usual acronym (conventions.md: "others their usual acronym").
EXTRA_IGOS = {
    "IMF", "WB", "WTO", "APEC", "QUAD", "CSTO", "CIS", "EAEU", "GCC", "LAS", "OIC", "AUKUS", "OPCW", "INTERPOL",
    "OECD", "ECOWAS", "MERCOSUR", "OAS", "COE", "ADB", "AIIB", "NDB", "IEA",
    "UNHCR", "UNICEF", "UNESCO", "UNRWA", "WFP", "FAO", "UNDP", "ILO",
}
IGO_CODES = CONVENTION_IGOS | EXTRA_IGOS
COUNTRY_CODES = {c.alpha_3 for c in pycountry.countries} | {"SUN", "XKX"}

HEADERS = {
    "country_variants.tsv": ["surface", "country", "canonical", "ambiguous", "note"],
    "countries.tsv": ["surface", "canonical", "country", "kind", "ambiguous", "note"],
    "capitals.tsv": ["surface", "canonical", "country", "sector", "kind", "note"],
    "institutions.tsv": ["surface", "canonical", "country", "sector", "kind", "takes_country", "name", "note"],
    "media.tsv": ["surface", "canonical", "country", "note"],
    "titles.tsv": ["title", "sector", "kind", "country", "org", "note"],
    "people.tsv": ["name", "aliases", "country", "sector", "role", "start", "end", "org", "note"],
}
NAME_FILES = ("countries.tsv", "capitals.tsv", "institutions.tsv", "media.tsv")
# English fixed titles whose institution word is part of the title, not an actor of its own.
COMPOUND_TITLES = {
    "chief cabinet secretary", "armed forces minister", "chief of the general staff",
    "chairman of the joint chiefs of staff", "senate majority leader", "senate minority leader",
    "member of parliament",
}
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

problems: list[str] = []


def problem(path: Path, line: int, message: str) -> None:
    problems.append(f"{path.relative_to(ROOT)}:{line}: {message}")


def read(lang: str, name: str) -> tuple[Path, list[tuple[int, dict[str, str]]]]:
    """Rows as (line number, dict); checks comments, header, cell counts, spacing and normalisation."""
    path = LEXICONS / lang / name
    if not path.is_file():
        problems.append(f"{path.relative_to(ROOT)}: missing")
        return path, []
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        problem(path, 1, "the file must start with '#' lines giving its source and review notes")
    header = None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            if header != HEADERS[name]:
                problem(path, number, f"header {header} != {HEADERS[name]}")
            continue
        if len(cells) != len(header):
            problem(path, number, f"{len(cells)} cells for {len(header)} columns")
            continue
        for cell in cells:
            if cell != cell.strip():
                problem(path, number, f"surrounding spaces in {cell!r}")
            if unicodedata.normalize("NFC", cell) != cell:
                problem(path, number, f"not NFC: {cell!r}")
            elif normalize_tone_placement(cell) != cell:
                problem(path, number, f"old tone placement: {cell!r} (write {normalize_tone_placement(cell)!r})")
        rows.append((number, dict(zip(header, cells))))
    if header is None:
        problem(path, 1, "no header row")
    return path, rows


def check_code(path: Path, number: int, code: str, what: str = "country") -> None:
    if code and code not in COUNTRY_CODES:
        problem(path, number, f"{what} {code!r} is not an ISO 3166-1 alpha-3 code (nor SUN/XKX)")


def check_sector(path: Path, number: int, sector: str, required: bool = True) -> None:
    if sector and sector not in SECTORS:
        problem(path, number, f"sector {sector!r} not in {' '.join(SECTORS)}")
    elif required and not sector:
        problem(path, number, "sector is empty")


def check_flag(path: Path, number: int, row: dict[str, str], column: str) -> None:
    if row[column] not in ("", "y"):
        problem(path, number, f"{column} must be 'y' or empty, not {row[column]!r}")


def surfaces(path: Path, rows, column: str, allow_ambiguous: bool = False) -> dict[str, list[tuple[int, dict]]]:
    """Folded surface -> rows; reports duplicates within the file."""
    seen: dict[str, list[tuple[int, dict]]] = {}
    for number, row in rows:
        if not row[column]:
            problem(path, number, f"{column} is empty")
            continue
        seen.setdefault(fold(row[column]), []).append((number, row))
    for key, found in seen.items():
        if len(found) < 2:
            continue
        if allow_ambiguous and all(r.get("ambiguous") == "y" for _, r in found):
            continue
        lines = ", ".join(str(n) for n, _ in found)
        problem(path, found[1][0], f"duplicate {column} {found[0][1][column]!r} (lines {lines})")
    return seen


def parse_date(value: str) -> tuple[int, int, int] | None:
    match = DATE.match(value)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month or 0, day or 0


def check_countries(lang: str) -> tuple[dict, dict[str, str]]:
    path, rows = read(lang, "countries.tsv")
    canonical: dict[str, str] = {}
    for number, row in rows:
        check_flag(path, number, row, "ambiguous")
        if row["kind"] == "COUNTRY":
            if not row["country"]:
                problem(path, number, "a COUNTRY row needs a country code")
            check_code(path, number, row["country"])
            previous = canonical.setdefault(row["country"], row["canonical"])
            if previous != row["canonical"]:
                problem(path, number, f"{row['country']} has canonical {row['canonical']!r} and {previous!r}")
        elif row["kind"] == "REGION":
            if row["country"]:
                problem(path, number, "a REGION row has no country")
        else:
            problem(path, number, f"kind {row['kind']!r} not COUNTRY or REGION")
        if not row["canonical"]:
            problem(path, number, "canonical is empty")
    vpath, vrows = read(lang, "country_variants.tsv")
    for number, row in vrows:
        check_code(vpath, number, row["country"])
        check_flag(vpath, number, row, "ambiguous")
        if bool(row["country"]) == bool(row["canonical"]):
            problem(vpath, number, "give a country code (state) or a canonical name (REGION), not both or neither")
    surfaces(vpath, vrows, "surface", allow_ambiguous=True)
    try:
        import build_countries

        expected = build_countries.build(lang, build_countries.covered_codes())
        actual = [[row[c] for c in HEADERS["countries.tsv"]] for _, row in rows]
        if expected != actual:
            problems.append(f"{path.relative_to(ROOT)}: stale, rerun scripts/build_countries.py")
    except SystemExit as exc:  # the builder reports its own problems this way
        problems.append(f"scripts/build_countries.py ({lang}): {exc}")
    return surfaces(path, rows, "surface", allow_ambiguous=True), canonical


def check_capitals(lang: str) -> tuple[dict, set]:
    path, rows = read(lang, "capitals.tsv")
    facts = {}
    for number, row in rows:
        if row["kind"] not in ("CAPITAL_METONYM", "INSTITUTION", "PLACE"):
            problem(path, number, f"kind {row['kind']!r} not CAPITAL_METONYM, INSTITUTION or PLACE")
        if not row["country"]:
            problem(path, number, "country is empty")
        check_code(path, number, row["country"])
        check_sector(path, number, row["sector"], required=row["kind"] != "PLACE")
        if row["kind"] == "PLACE" and row["sector"]:
            problem(path, number, "a PLACE row has no sector")
        if row["kind"] == "CAPITAL_METONYM" and row["sector"] != "GOV":
            problem(path, number, "a capital metonym has sector GOV")
        fact = (row["country"], row["sector"] if row["kind"] != "PLACE" else "", row["kind"])
        if row["kind"] != "PLACE":
            previous = facts.setdefault(row["canonical"], fact)
            if previous != fact:
                problem(path, number, f"{row['canonical']!r} is {fact} here and {previous} elsewhere")
    return surfaces(path, rows, "surface"), {(k,) + v for k, v in facts.items()}


def check_institutions(lang: str) -> tuple[dict, set]:
    path, rows = read(lang, "institutions.tsv")
    facts = set()
    by_canonical: dict[str, tuple] = {}
    for number, row in rows:
        check_flag(path, number, row, "takes_country")
        if row["kind"] not in ("INSTITUTION", "ORG"):
            problem(path, number, f"kind {row['kind']!r} not INSTITUTION or ORG")
        if not row["canonical"]:
            problem(path, number, "canonical is empty")
        sector = row["sector"]
        if sector == "IGO":
            if row["country"] or row["takes_country"]:
                problem(path, number, "an IGO row has no country and does not take one")
            if row["canonical"] not in IGO_CODES:
                problem(path, number, f"IGO canonical {row['canonical']!r} is not a known IGO code")
            if not row["name"]:
                problem(path, number, "an IGO row needs a name (the organisation or organ)")
            if row["kind"] != "ORG":
                problem(path, number, "an IGO row has kind ORG")
        elif not sector and not row["country"]:
            if row["kind"] != "ORG" or row["takes_country"] or row["name"]:
                problem(path, number, "a bloc row (no country, no sector) has kind ORG and nothing else")
        else:
            check_sector(path, number, sector)
            if row["name"]:
                problem(path, number, "name is for IGO rows only")
            if row["takes_country"] == "y" and row["country"]:
                problem(path, number, "a head that takes a country has no country of its own")
            if row["takes_country"] != "y":
                if not row["country"]:
                    problem(path, number, "a fixed institution needs a country (or takes_country = y)")
                check_code(path, number, row["country"])
        fact = (row["canonical"], row["country"], sector, row["kind"], row["takes_country"])
        facts.add(fact + (row["name"],))
        previous = by_canonical.setdefault(row["canonical"], fact)
        if previous != fact and sector != "IGO":
            problem(path, number, f"{row['canonical']!r} is {fact[1:]} here and {previous[1:]} elsewhere")
    return surfaces(path, rows, "surface"), facts


def check_media(lang: str) -> tuple[dict, set]:
    path, rows = read(lang, "media.tsv")
    facts = {}
    for number, row in rows:
        if not row["country"]:
            problem(path, number, "country is empty")
        check_code(path, number, row["country"])
        previous = facts.setdefault(row["canonical"], row["country"])
        if previous != row["country"]:
            problem(path, number, f"{row['canonical']!r} has countries {previous} and {row['country']}")
    return surfaces(path, rows, "surface"), set(facts.items())


def check_titles(lang: str, names: dict[str, list]) -> int:
    path, rows = read(lang, "titles.tsv")
    surfaces(path, rows, "title")
    inner = {key for key, found in names.items()
             if not any(r.get("ambiguous") == "y" or r.get("kind") in ("REGION", "PLACE") for _, r in found)}
    for number, row in rows:
        check_sector(path, number, row["sector"])
        if row["kind"] not in ("PERSON", "GROUP"):
            problem(path, number, f"kind {row['kind']!r} not PERSON or GROUP")
        check_code(path, number, row["country"])
        if row["org"] and (row["org"] not in IGO_CODES or row["sector"] != "IGO"):
            problem(path, number, f"org {row['org']!r} must be an IGO code on an IGO title")
        folded = fold(row["title"])
        for key in () if folded in COMPOUND_TITLES else inner:
            if key != folded and re.search(rf"(?<![\w\-'’]){re.escape(key)}(?![\w\-'’])", folded):
                problem(path, number, f"title contains the actor surface {key!r}: list the bare title instead")
    return len(rows)


def check_people(lang: str) -> list[tuple]:
    path, rows = read(lang, "people.tsv")
    owner: dict[str, str] = {}
    aliases_of: dict[str, str] = {}
    seen_roles = set()
    for number, row in rows:
        name = row["name"]
        if not name or not row["role"] or not row["start"]:
            problem(path, number, "name, role and start are required")
        check_code(path, number, row["country"])
        check_sector(path, number, row["sector"])
        if row["sector"] == "IGO":
            if row["country"]:
                problem(path, number, "an IGO official has no country")
            if row["org"] not in IGO_CODES:
                problem(path, number, f"an IGO official needs org = an IGO code, not {row['org']!r}")
        else:
            if not row["country"]:
                problem(path, number, "country is empty (only IGO officials have none)")
            if row["org"]:
                problem(path, number, "org is for IGO officials only")
        start, end = parse_date(row["start"]), parse_date(row["end"]) if row["end"] else None
        if row["start"] and start is None:
            problem(path, number, f"start {row['start']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if row["end"] and end is None:
            problem(path, number, f"end {row['end']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if start and end and row["start"] > row["end"]:
            problem(path, number, f"start {row['start']} is after end {row['end']}")
        key = (name, row["role"], row["start"])
        if key in seen_roles:
            problem(path, number, f"duplicate row for {key}")
        seen_roles.add(key)
        previous = aliases_of.setdefault(name, row["aliases"])
        if previous != row["aliases"]:
            problem(path, number, f"{name!r} has different aliases on different rows")
        forms = [name] + [a for a in row["aliases"].split("|") if a]
        if row["aliases"] and any(not a.strip() or a != a.strip() for a in row["aliases"].split("|")):
            problem(path, number, "empty or padded alias")
        if len({fold(f) for f in forms}) != len(forms):
            problem(path, number, "an alias repeats the name or another alias")
        for form in forms:
            if " " not in form and form in (name.split()[-1] if name else "",):
                problem(path, number, f"bare surname {form!r} as alias")
            other = owner.setdefault(fold(form), name)
            if other != name:
                problem(path, number, f"{form!r} names both {other!r} and {name!r}")
    return [tuple(row[c] for c in HEADERS["people.tsv"]) for _, row in rows]


def compare(what: str, vi: set, en: set) -> None:
    for item in sorted(vi - en, key=str):
        problems.append(f"{what}: only in vi/: {item}")
    for item in sorted(en - vi, key=str):
        problems.append(f"{what}: only in en/: {item}")


def main() -> int:
    counts: dict[str, dict[str, int]] = {}
    facts: dict[str, dict[str, object]] = {}
    for lang in LANGS:
        names: dict[str, list] = {}
        per_file = {}
        country_surfaces, canonical = check_countries(lang)
        per_file["countries.tsv"] = country_surfaces
        per_file["capitals.tsv"], capital_facts = check_capitals(lang)
        per_file["institutions.tsv"], institution_facts = check_institutions(lang)
        per_file["media.tsv"], media_facts = check_media(lang)
        owners: dict[str, str] = {}
        for name in NAME_FILES:
            for key, found in per_file[name].items():
                if key in owners and owners[key] != name:
                    problems.append(f"{lang}: {found[0][1]['surface']!r} is in both {owners[key]} and {name}")
                owners.setdefault(key, name)
                names.setdefault(key, []).extend(found)
        titles = check_titles(lang, names)
        people = check_people(lang)
        facts[lang] = {"canonical": canonical, "capitals": capital_facts, "institutions": institution_facts,
                       "media": media_facts, "people": people}
        counts[lang] = {name: sum(len(v) for v in per_file[name].values()) for name in NAME_FILES}
        counts[lang]["titles.tsv"] = titles
        counts[lang]["people.tsv"] = len(people)
    vi, en = facts["vi"], facts["en"]
    for code in sorted(set(vi["canonical"]) | set(en["canonical"])):
        if vi["canonical"].get(code) != en["canonical"].get(code):
            problems.append(f"countries: {code} is {vi['canonical'].get(code)!r} in vi/, {en['canonical'].get(code)!r} in en/")
    compare("capitals", vi["capitals"], en["capitals"])
    compare("institutions", vi["institutions"], en["institutions"])
    compare("media", vi["media"], en["media"])
    if vi["people"] != en["people"]:
        problems.append("people.tsv: vi/ and en/ differ (keep them identical)")
    if problems:
        print("\n".join(problems))
        return 1
    for lang in LANGS:
        print(lang + ": " + ", ".join(f"{name} {n}" for name, n in counts[lang].items()))
    print("lexicons OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
