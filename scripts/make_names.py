#!/usr/bin/env python3
"""Build model/names.tsv: English words that are names, from a registry package.

The source is the npm package dictionary-en 4.0.0 (the en_US Hunspell
dictionary derived from SCOWL, license "(MIT AND BSD)"; SCOWL's copyright
notice is kept in names.tsv's header). Its tarball's sha256 is checked before
anything is read.

A dictionary entry written only with a capital first letter is a name
("Australia", "Dublin", "Everest"); one also written in lower case is a word
("Bill" and "bill"). Left out, so that no common word is read as a name:

* all-capital entries: abbreviations ("CEO", "BBQ"), not names;
* a capitalised entry that is a lower-case entry with a plural or possessive
  ending ("Banks", "Jobs", "Weeks": surnames the dictionary lists, whose
  lower-case forms are "bank", "job", "week" with an ending Hunspell adds);
* entries shorter than three letters or with anything but letters.

Each line is one name, folded to lower case; the file is sorted. The same
package gives the same file, byte for byte.

Usage: python3 scripts/make_names.py [--out model/names.tsv] [--check]
"""

import argparse
import hashlib
import io
import os
import sys
import tarfile
import urllib.request

PACKAGE_URL = "https://registry.npmjs.org/dictionary-en/-/dictionary-en-4.0.0.tgz"
PACKAGE_SHA256 = "160cba5e6c0230d43d70b0c929e498566ff2c3c4bcf840318d98ce28e31ee756"
# Endings Hunspell adds to a word (the dictionary's S, M and G-free plural
# and possessive flags): a capitalised entry that is a lower-case word with
# one of them is that word's surname use, not a name of its own.
ENDINGS = ("s", "es", "'s")
MIN_LETTERS = 3

HEADER = """\
# English words that are names (places, people, peoples, days, brands), one
# per line, folded to lower case: the entries the en_US Hunspell dictionary
# writes only with a capital letter. Made by scripts/make_names.py from the
# npm package dictionary-en 4.0.0, license (MIT AND BSD), derived from SCOWL:
#   Copyright 2000-2018 by Kevin Atkinson
#   Permission to use, copy, modify, distribute and sell these word lists,
#   the associated scripts, the output created from the scripts, and its
#   documentation for any purpose is hereby granted without fee, provided
#   that the above copyright notice appears in all copies and that both that
#   copyright notice and this permission notice appear in supporting
#   documentation. Kevin Atkinson makes no representations about the
#   suitability of this array for any purpose. It is provided "as is"
#   without express or implied warranty.
#   (The full notices of SCOWL and its sources are in the package's license
#   file.)
"""


def fetch():
    with urllib.request.urlopen(PACKAGE_URL, timeout=60) as r:
        blob = r.read()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != PACKAGE_SHA256:
        sys.exit(f"{PACKAGE_URL} has sha256 {digest}, expected {PACKAGE_SHA256}")
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        return tar.extractfile("package/index.dic").read().decode("utf-8")


def names(dic):
    entries = [line.split("/")[0] for line in dic.splitlines()[1:]]
    lower = {e for e in entries if e[:1].islower()}
    out = set()
    for e in entries:
        if len(e) < MIN_LETTERS or not e.isalpha() or not e[0].isupper() or e.isupper():
            continue
        w = e.lower()
        if w in lower or any(w.endswith(x) and w[: -len(x)] in lower for x in ENDINGS):
            continue
        out.add(w)
    return sorted(out)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(root, "model", "names.tsv"))
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    text = HEADER + "".join(f"{n}\n" for n in names(fetch()))
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            same = f.read() == text
        print(f"{args.out}: {'same' if same else 'differs'}")
        sys.exit(0 if same else 1)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{args.out}: {text.count(chr(10)) - HEADER.count(chr(10))} names")


if __name__ == "__main__":
    main()
