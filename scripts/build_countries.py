#!/usr/bin/env python3
"""Build `src/quanhe/lexicons/{vi,en}/countries.tsv`, the country part of the actor gazetteer.

Sources, merged in this order (a later source overrides an earlier one for the same folded surface):

1. pycountry (ISO 3166-1): alpha-3 codes, and for the English file the `name`, `common_name` and
   `official_name` of each state. Names written "Korea, Republic of" (with a comma) are not surface forms and
   are skipped; "Holy See (Vatican City State)" gives both "Holy See" and "Vatican City State".
2. CLDR territory names through babel: `Locale('vi').territories` for the Vietnamese file and
   `Locale('en').territories` for the English one. CLDR display names such as "Congo - Kinshasa" or
   "Hong Kong SAR China" are skipped (the press does not write them); "Myanmar (Miến Điện)" gives both names.
3. The hand-reviewed variants `src/quanhe/lexicons/<lang>/country_variants.tsv` (columns
   `surface country canonical ambiguous note`): the forms the press really uses ("Mỹ", "Hoa Kỳ", "U-crai-na",
   "Liên Xô"), the `ambiguous` flag for forms that are also common words ("Anh", "Pháp", "Đức", "Nhật"), and
   REGION rows (country empty, canonical = English region name) that exist only so that the longest match wins
   over a country inside a region name ("Mỹ Latinh", "Ấn Độ Dương", "bán đảo Triều Tiên").

Which states are covered: every UN member state (pycountry minus the dependent territories listed in
NOT_UN_MEMBERS below; the script asserts there are 193), the observers Palestine (PSE) and the Holy See (VAT),
Taiwan (TWN), Kosovo (XKX: not in ISO 3166, the code the conventions use) and the Soviet Union (SUN, ISO 3166-3),
plus the few territories in TERRITORIES that act in the news. Every country code in the output and in the
variants is checked against pycountry (or the extra codes above); the script exits non-zero on a bad code or on
two sources giving one surface different codes without the variants settling it.

Output: `surface canonical country kind ambiguous note`, sorted by kind, country code and folded surface, so
the result depends only on the pycountry and babel versions and on the variants files (no dates, no sets
iterated unordered). `canonical` is the short English name (CANONICAL below, else pycountry `common_name`,
else `name`); the same canonical is used in both languages. Surfaces are NFC with modern tone placement
("hòa", "thủy"), and curly apostrophes also get a straight-apostrophe twin.

Run from the repository root:   .venv/bin/python scripts/build_countries.py
Then check everything:          .venv/bin/python scripts/check_lexicons.py
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from importlib.metadata import version

import babel
import pycountry
from babel import Locale

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from quanhe.text.normalize import fold, normalize_tone_placement  # noqa: E402

LEXICONS = ROOT / "src" / "quanhe" / "lexicons"
LANGS = ("vi", "en")

# ISO 3166-1 entries that are not UN member states (dependent territories, Antarctica, observers, Taiwan).
NOT_UN_MEMBERS = {
    "ABW", "AIA", "ALA", "ASM", "ATA", "ATF", "BES", "BLM", "BMU", "BVT", "CCK", "COK", "CUW", "CXR", "CYM",
    "ESH", "FLK", "FRO", "GGY", "GIB", "GLP", "GRL", "GUF", "GUM", "HKG", "HMD", "IMN", "IOT", "JEY", "MAC",
    "MAF", "MNP", "MSR", "MTQ", "MYT", "NCL", "NFK", "NIU", "PCN", "PRI", "PSE", "PYF", "REU", "SGS", "SHN",
    "SJM", "SPM", "SXM", "TCA", "TKL", "TWN", "UMI", "VAT", "VGB", "VIR", "WLF",
}
# Non-members that the conventions code as states.
STATES_BEYOND_UN = {"PSE", "VAT", "TWN", "XKX"}
# Territories kept because their governments act in international news (Greenland and the US, Hong Kong).
TERRITORIES = {"GRL", "HKG"}
# Codes outside pycountry.countries: Kosovo (user-assigned, as in conventions.md) and the Soviet Union (ISO 3166-3).
EXTRA_CODES = {"XKX": "Kosovo", "SUN": "Soviet Union"}

# Short English names where pycountry's common_name/name is not the one the press uses.
CANONICAL = {
    "BOL": "Bolivia", "BRN": "Brunei", "COD": "DR Congo", "COG": "Republic of the Congo", "CPV": "Cape Verde",
    "CZE": "Czech Republic", "FSM": "Micronesia", "GBR": "United Kingdom", "IRN": "Iran", "KOR": "South Korea",
    "LAO": "Laos", "MDA": "Moldova", "PRK": "North Korea", "PSE": "Palestine", "RUS": "Russia", "SYR": "Syria",
    "TUR": "Turkey", "TWN": "Taiwan", "TZA": "Tanzania", "USA": "United States", "VAT": "Vatican",
    "VEN": "Venezuela", "VNM": "Vietnam", "SUN": "Soviet Union", "XKX": "Kosovo", "CIV": "Ivory Coast",
    "SWZ": "Eswatini", "TLS": "East Timor", "HKG": "Hong Kong", "MKD": "North Macedonia",
}

HEADER = ["surface", "canonical", "country", "kind", "ambiguous", "note"]
VARIANT_HEADER = ["surface", "country", "canonical", "ambiguous", "note"]


def covered_codes() -> dict[str, str]:
    """alpha-3 -> alpha-2 (or '' for codes outside pycountry.countries) of every state in the files."""
    members = {c.alpha_3: c.alpha_2 for c in pycountry.countries if c.alpha_3 not in NOT_UN_MEMBERS}
    if len(members) != 193:
        sys.exit(f"expected 193 UN member states, got {len(members)}: update NOT_UN_MEMBERS")
    codes = dict(members)
    for code in sorted((STATES_BEYOND_UN | TERRITORIES) - set(EXTRA_CODES)):
        codes[code] = pycountry.countries.get(alpha_3=code).alpha_2
    codes["XKX"] = "XK"  # CLDR has Kosovo under the user-assigned XK
    codes["SUN"] = ""
    return codes


def canonical_name(code: str) -> str:
    if code in CANONICAL:
        return CANONICAL[code]
    country = pycountry.countries.get(alpha_3=code)
    return getattr(country, "common_name", None) or country.name


def clean(surface: str) -> str:
    return unicodedata.normalize("NFC", normalize_tone_placement(" ".join(surface.split())))


def split_names(name: str) -> list[str]:
    """Surface forms in one source name: skip "A, B" and "A - B" display names, split "A (B)" into A and B."""
    if "," in name or " - " in name or " SAR " in name:
        return []
    if "(" in name and name.endswith(")"):
        outer, inner = name[:-1].split("(", 1)
        return [part.strip() for part in (outer, inner) if part.strip()]
    return [name]


def with_apostrophes(surface: str) -> list[str]:
    return [surface, surface.replace("\u2019", "'")] if "\u2019" in surface else [surface]


def read_variants(lang: str, codes: dict[str, str]) -> list[dict[str, str]]:
    path = LEXICONS / lang / "country_variants.tsv"
    rows: list[dict[str, str]] = []
    header = None
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            if header != VARIANT_HEADER:
                sys.exit(f"{path}: header {header} != {VARIANT_HEADER}")
            continue
        if len(cells) != len(header):
            problems.append(f"{path}:{number}: {len(cells)} cells for {len(header)} columns")
            continue
        row = dict(zip(header, cells))
        if row["country"] and row["country"] not in codes:
            problems.append(f"{path}:{number}: country {row['country']!r} is not a covered state code")
        if not row["country"] and not row["canonical"]:
            problems.append(f"{path}:{number}: a REGION row needs a canonical name")
        if row["ambiguous"] not in ("", "y"):
            problems.append(f"{path}:{number}: ambiguous must be 'y' or empty")
        rows.append(row)
    if problems:
        sys.exit("\n".join(problems))
    return rows


def build(lang: str, codes: dict[str, str]) -> list[list[str]]:
    # folded surface -> [surface, country, canonical, ambiguous, sources]
    table: dict[str, list] = {}
    conflicts: dict[str, set[str]] = {}

    def add(surface: str, code: str, source: str) -> None:
        for form in with_apostrophes(clean(surface)):
            key = fold(form)
            if key in table:
                entry = table[key]
                if entry[1] != code:
                    conflicts.setdefault(key, {entry[1]}).add(code)
                elif source not in entry[4]:
                    entry[4].append(source)
                continue
            table[key] = [form, code, canonical_name(code) if code in codes else "", "", [source]]

    territories = Locale(lang).territories
    for code in sorted(codes):
        if lang == "en" and code not in EXTRA_CODES:
            country = pycountry.countries.get(alpha_3=code)
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value:
                    value = value[4:] if value.startswith("the ") else value
                    for form in split_names(value):
                        add(form, code, f"pycountry {attr}")
        if codes[code] and codes[code] in territories:
            for form in split_names(territories[codes[code]]):
                add(form, code, f"CLDR {lang}")

    for row in read_variants(lang, codes):
        form = clean(row["surface"])
        key = fold(form)
        code = row["country"]
        canonical = canonical_name(code) if code else row["canonical"]
        note = row["note"].strip()
        previous = table.get(key)
        sources = previous[4] if previous and previous[1] == code else []
        if previous and previous[1] != code:
            note = (note + "; " if note else "") + f"overrides {previous[1]} from {', '.join(previous[4])}"
        conflicts.pop(key, None)
        table[key] = [form, code, canonical, row["ambiguous"], sources + [f"variant: {note}" if note else "variant"]]

    if conflicts:
        sys.exit("\n".join(f"{lang}: {table[k][0]!r} has codes {sorted(v)}; settle it in country_variants.tsv"
                           for k, v in sorted(conflicts.items())))

    rows = []
    for key, (surface, code, canonical, ambiguous, sources) in table.items():
        kind = "COUNTRY" if code else "REGION"
        if code in TERRITORIES:
            sources = sources + ["territory, not a UN member"]
        rows.append([surface, canonical, code, kind, ambiguous, "; ".join(sources)])
    rows.sort(key=lambda r: (r[3] != "COUNTRY", r[2], r[1], fold(r[0]), r[0]))
    return rows


def write(lang: str, rows: list[list[str]]) -> Path:
    path = LEXICONS / lang / "countries.tsv"
    comment = [
        f"# GENERATED by scripts/build_countries.py; do not edit by hand: edit {lang}/country_variants.tsv and rerun.",
        f"# Sources: pycountry {version('pycountry')} (ISO 3166-1 codes"
        + (", English names" if lang == "en" else "") + f"), CLDR territory names via babel {babel.__version__} "
        f"(Locale('{lang}')), and the hand-reviewed {lang}/country_variants.tsv.",
        "# Coverage: the 193 UN member states, PSE, VAT, TWN, XKX (Kosovo), SUN (Soviet Union), and the territories"
        " GRL, HKG.",
        "# kind COUNTRY: a state; kind REGION (country empty): a place name listed only so that the longest match"
        " beats a country",
        "# inside it ('Mỹ Latinh', 'Ấn Độ Dương'); the matcher must not make an actor of a REGION row.",
        "# ambiguous=y: the surface is also a common word or name; accept it only in context (capitalised, not"
        " sentence-initial, ...).",
        "# canonical: short English name, the same in vi/ and en/. Demonyms are not surfaces here.",
    ]
    lines = comment + ["\t".join(HEADER)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    codes = covered_codes()
    for code in codes:
        if code not in EXTRA_CODES and pycountry.countries.get(alpha_3=code) is None:
            sys.exit(f"{code} is not in pycountry")
    for lang in LANGS:
        rows = build(lang, codes)
        missing = sorted(set(codes) - {r[2] for r in rows})
        if missing:
            sys.exit(f"{lang}: no surface form for {missing}")
        path = write(lang, rows)
        print(f"{path.relative_to(ROOT)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
