#!/usr/bin/env python3
"""Build model/countries.tsv: the one-word forms of each country's name.

The source is the npm package world-countries 5.1.0 (mledoze/countries,
data under the Open Database License, copied with its notice to
model/countries.LICENSE); the tarball's sha256 is checked before anything
is read.

For each country, its forms are its common English name, its people's
English names (demonyms, both genders) and those of its alternative
spellings that are not common English words: a word of model/english.tsv
that model/names.tsv does not list as a name (scripts/make_model_data.py
and scripts/make_names.py make them) is left out, as Iceland's "island"
is, while "holland" and "burma" stay. Alternative spellings that are
people's names as well stay too (the Isle of Man's "mann", Dominica's
"dominique"): the word lists cannot tell a place's name from a person's.
A form is kept when it is one word of ASCII
letters (after accents are taken off), three letters or more and not a
code in capitals ("NL", "USA"): for the Netherlands "dutch", "holland"
and "netherlands". A country with fewer than two forms ("United
Kingdom": only "british") gives no line.

dossier reads them in its rule for names a question gives (a story that
never mentions "dutch" may still say "the Netherlands"): words that share
no start, which the rule's own test (the first three letters and the word
vectors) cannot pair.

Each line is one country's forms, folded to lower case, tab-separated and
sorted; the lines are sorted. The same package gives the same file, byte
for byte.

Usage: python3 scripts/make_countries.py [--out model] [--check]
"""

import argparse
import io
import json
import os
import tarfile
import unicodedata

from registry import fetch_checked, write_or_check

PACKAGE = ("https://registry.npmjs.org/world-countries/-/world-countries-5.1.0.tgz",
           "329eb6ef4099ffb590219c9beb634bf489a5e4b10d8ab0ac52a58ebf7b9f8495")
MIN_LETTERS = 3

HEADER = """\
# The one-word forms of each country's name, one country a line, folded to
# lower case and tab-separated: its common English name, its demonyms and
# alternative spellings that are not common English words ("dutch",
# "holland", "netherlands").
# Made by scripts/make_countries.py from the npm package world-countries
# 5.1.0 (mledoze/countries), made available under the Open Database
# License (ODbL) 1.0, whose text is in countries.LICENSE beside this file.
"""


def fetch(url, sha256):
    blob = fetch_checked(url, sha256)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        countries = tar.extractfile("package/countries.json").read()
        license_text = tar.extractfile("package/LICENSE").read()
    return json.loads(countries), license_text.decode("utf-8")


def fold(name):
    """Lower case without accents ("Türkiye" → "turkiye"), as dossier folds
    words; None for anything but one word of ASCII letters."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    if len(plain) < MIN_LETTERS or not (plain.isascii() and plain.isalpha()) or plain.isupper():
        return None
    return plain.lower()


def words_of(path):
    """The first column of a model word list, its comments left out."""
    with open(path, encoding="utf-8") as f:
        return {line.split("\t")[0].strip() for line in f if line.strip() and not line.startswith("#")}


def forms(country, taken):
    """The country's one-word forms; an alternative spelling only when it
    is not one of the common English words `taken`."""
    names = [country["name"]["common"], *country.get("demonyms", {}).get("eng", {}).values()]
    own = {f for f in map(fold, names) if f}
    other = {f for f in map(fold, country.get("altSpellings", [])) if f and f not in taken}
    return sorted(own | other)


def build(model):
    """The files' texts, from the package and `model`'s word lists."""
    countries, license_text = fetch(*PACKAGE)
    taken = words_of(os.path.join(model, "english.tsv")) - words_of(os.path.join(model, "names.tsv"))
    lines = sorted("\t".join(f) for f in (forms(c, taken) for c in countries) if len(f) > 1)
    print(f"{len(lines)} countries with two forms or more")
    notice = ("model/countries.tsv is derived from the npm package world-countries 5.1.0\n"
              "(https://github.com/mledoze/countries), made available under the\n"
              "Open Database License (ODbL) 1.0:\n\n")
    return {"countries.tsv": HEADER + "".join(line + "\n" for line in lines),
            "countries.LICENSE": notice + license_text}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(root, "model"))
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    write_or_check(args.out, build(os.path.join(root, "model")), args.check)


if __name__ == "__main__":
    main()
