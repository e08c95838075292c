#!/usr/bin/env python3
"""Build model/names.tsv: English words that are names, from registry packages.

The sources are the npm packages dictionary-en 4.0.0 and dictionary-en-gb
3.0.0 (the en_US and en_GB Hunspell dictionaries, derived from SCOWL; their
license files are copied to model/names.LICENSE), read with the PyPI
package spylls 0.1.7 (a Hunspell implementation in Python). Each tarball's
sha256 is checked before anything is read.

A dictionary entry written with a capital first letter whose lower-case
form neither dictionary accepts, with all its prefixes and suffixes, is a
name ("Australia", "Dublin", "Everest"); one whose lower-case form is a
word of either is not ("Bill" and "bill", "Banks" and "banks", "Grey" and
British "grey", "Reunion" and "reunion"). All-capital entries are
abbreviations ("CEO", "BBQ"), not names; entries shorter than three letters
or with anything but ASCII letters are left out.

Each line is one name, folded to lower case; the file is sorted. The same
packages give the same files, byte for byte.

Usage: python3 scripts/make_names.py [--out model] [--check]
"""

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile

from registry import fetch_checked, write_or_check

PACKAGES = {
    "en_US": ("https://registry.npmjs.org/dictionary-en/-/dictionary-en-4.0.0.tgz",
              "160cba5e6c0230d43d70b0c929e498566ff2c3c4bcf840318d98ce28e31ee756"),
    "en_GB": ("https://registry.npmjs.org/dictionary-en-gb/-/dictionary-en-gb-3.0.0.tgz",
              "67b3ac7f78c31408927b9e4e4f55bbd6a338ae6596a5c09bd937e471694fa218"),
}
SPYLLS = ("spylls==0.1.7 --hash=sha256:"
          "0c7fa4b66615f390bd12fd37939b85934c012309fd3cce8584844c54270b7776")
MIN_LETTERS = 3

HEADER = """\
# English words that are names (places, people, peoples, days, brands), one
# per line, folded to lower case: the entries the en_US and en_GB Hunspell
# dictionaries write with a capital whose lower-case forms neither accepts.
# Made by scripts/make_names.py from the npm packages dictionary-en 4.0.0
# and dictionary-en-gb 3.0.0, word lists derived from SCOWL (Copyright
# 2000-2018 by Kevin Atkinson, and the other copyrights and permission
# notices of SCOWL and its sources, all in names.LICENSE beside this file).
"""


def fetch(url, sha256, workdir, name):
    blob = fetch_checked(url, sha256)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        files = {f: tar.extractfile(f"package/{f}").read() for f in ("index.dic", "index.aff", "license")}
    for f in ("index.dic", "index.aff"):
        with open(os.path.join(workdir, f"{name}.{f.split('.')[1]}"), "wb") as out:
            out.write(files[f])
    return files["index.dic"].decode("utf-8"), files["license"].decode("utf-8")


def spylls(workdir):
    target = os.path.join(workdir, "lib")
    requirements = os.path.join(workdir, "requirements.txt")
    with open(requirements, "w") as f:
        f.write(SPYLLS + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--require-hashes", "--target", target, "-r", requirements],
        check=True,
    )
    sys.path.insert(0, target)
    from spylls.hunspell import Dictionary
    return Dictionary


def names(entries, dictionaries):
    out = set()
    for e in entries:
        # Questions are folded to ASCII: a name with other letters would
        # never match one.
        if len(e) < MIN_LETTERS or not (e.isascii() and e.isalpha()) or not e[0].isupper() or e.isupper():
            continue
        w = e.lower()
        if w not in out and not any(d.lookup(w) for d in dictionaries):
            out.add(w)
    return sorted(out)


def build(workdir):
    Dictionary = spylls(workdir)
    entries, licenses, dictionaries = [], [], []
    for name, (url, sha256) in PACKAGES.items():
        dic, license = fetch(url, sha256, workdir, name)
        entries.extend(line.split("/")[0] for line in dic.splitlines()[1:])
        licenses.append(f"==== {name}: {url}\n\n{license}")
        dictionaries.append(Dictionary.from_files(os.path.join(workdir, name)))
    text = HEADER + "".join(f"{n}\n" for n in names(entries, dictionaries))
    return text, "\n".join(licenses)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(root, "model"))
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        text, license = build(workdir)
    write_or_check(args.out, {"names.tsv": text, "names.LICENSE": license}, args.check)
    print(f"{args.out}/names.tsv: {text.count(chr(10)) - HEADER.count(chr(10))} names")


if __name__ == "__main__":
    main()
