#!/usr/bin/env python3
"""Builds the name lexicons of the person detector from open data.

Reproducible: the inputs are fixed package versions (see SOURCES.md):

    pip download --no-deps -d /tmp/lex names==0.3.0 faker==40.63.0
    (cd /tmp/lex && npm pack @faker-js/faker@10.6.0)    # needs node
    # CC0 lists of the most common names by country (Wikipedia, 2023):
    # common-forenames-by-country.csv and common-surnames-by-country.csv of
    # github.com/sigpwned/popular-names-by-country-dataset at eb62e13, in /tmp/lex
    apt-get install wamerican        # /usr/share/dict/american-english
    python3 detectors/lexicon/build.py /tmp/lex

It writes, next to itself, one name a line, sorted:
    given.txt    given names (Latin script with diacritics, Cyrillic, ...)
    surname.txt  family names
    common.txt   names that are also common English words (lower case in
                 the SCOWL word list): they need a cue or a second name
    given_first.txt  Census names that rank higher as given names than as
                 surnames: alone, only these (or names that are no surname)
                 are taken for a person
    zh_family.txt  Chinese family names (one or two characters)
The hand-kept files (cues, street types, stop.txt) are not touched.
"""
import csv
import importlib
import json
import os
import subprocess
import pkgutil
import sys
import tarfile
import unicodedata
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CENSUS_SURNAMES = 40000  # the most frequent US Census 1990 surnames kept


def norm(name):
    name = unicodedata.normalize("NFC", name.strip())
    return name


def ascii_fold(name):
    d = unicodedata.normalize("NFKD", name)
    return "".join(c for c in d if not unicodedata.combining(c))


def cjk(name):
    # Chinese, Japanese and Korean names are not written with spaces
    # between words; only the Chinese family names are used (zh_family.txt).
    return any(0x3040 <= ord(c) <= 0x9fff or 0xac00 <= ord(c) <= 0xd7af for c in name)


def title(name):
    return name[:1].upper() + name[1:].lower()


def ok(name):
    # A token of letters only (the detector splits at hyphens and
    # apostrophes), at least two of them.
    return len(name) >= 2 and all(c.isalpha() for c in name)


def split(name):
    for part in name.replace("-", " ").replace("'", " ").split():
        yield part


def main(src):
    given, surname, zh_family = set(), set(), set()
    tgz = os.path.join(src, "names-0.3.0.tar.gz")
    # Share of the population bearing each Census name: a name is mainly a
    # given name when more people have it as one than as their surname
    # ("James" yes, "Williams" and "Mitchell" no). The given-name shares
    # are of one sex, so halved.
    pct = {"given": {}, "surname": {}}
    with tarfile.open(tgz) as t:
        for member, dest, kind, limit in (("dist.male.first", given, "given", None), ("dist.female.first", given, "given", None),
                                          ("dist.all.last", surname, "surname", CENSUS_SURNAMES)):
            lines = t.extractfile("names-0.3.0/names/" + member).read().decode().splitlines()
            for i, line in enumerate(lines):
                name = title(line.split()[0])
                share = float(line.split()[1]) / (2 if kind == "given" else 1)
                pct[kind][name] = pct[kind].get(name, 0) + share
                if limit is None or i < limit:
                    dest.add(name)
    given_first = {n for n, p in pct["given"].items() if p > pct["surname"].get(n, 0)}
    census_surnames = set(pct["surname"])
    whl = [f for f in os.listdir(src) if f.startswith("faker-") and f.endswith(".whl")][0]
    zdir = os.path.join(src, "faker-unzipped")
    if not os.path.isdir(zdir):
        zipfile.ZipFile(os.path.join(src, whl)).extractall(zdir)
    sys.path.insert(0, zdir)
    import faker.providers.person as pp
    for m in pkgutil.iter_modules(pp.__path__):
        P = importlib.import_module("faker.providers.person." + m.name).Provider
        for attr in dir(P):
            if not (attr.startswith("first_name") or attr.startswith("last_name")):
                continue
            v = getattr(P, attr)
            if callable(v) or isinstance(v, property) or not hasattr(v, "__iter__") or isinstance(v, str):
                continue
            for name in v:
                if not isinstance(name, str):
                    continue
                name = norm(name)
                if m.name.startswith("zh_") or m.name.startswith("ja_") or m.name.startswith("ko_"):
                    if attr.startswith("last_name") and 1 <= len(name) <= 2 and m.name.startswith("zh_"):
                        zh_family.add(name)
                    continue
                dest = given if attr.startswith("first_name") else surname
                for part in split(name):
                    if ok(part):
                        dest.add(part)
    # @faker-js/faker: more locales and longer lists than Python Faker.
    fjs = os.path.join(src, "fakerjs")
    if not os.path.isdir(fjs):
        os.makedirs(fjs)
        with tarfile.open(os.path.join(src, "faker-js-faker-10.6.0.tgz")) as t:
            t.extractall(fjs)
    out = subprocess.run(["node", os.path.join(HERE, "fakerjs.mjs"), os.path.join(fjs, "package")],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    for key, dest in (("given", given), ("surname", surname)):
        for name in d[key]:
            for part in split(norm(name)):
                if ok(part) and not cjk(part):
                    dest.add(part)
    # Most common names by country (both the native and the romanized forms).
    for fn, dest in (("common-forenames-by-country.csv", given), ("common-surnames-by-country.csv", surname)):
        with open(os.path.join(src, fn), encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                for col in ("Localized Name", "Romanized Name"):
                    for part in split(norm(row.get(col) or "")):
                        if ok(part) and not cjk(part):
                            dest.add(part)
    for s in (given, surname):
        for n in list(s):
            f = ascii_fold(n)
            if f != n and ok(f):
                s.add(f)
    # Given names of the other lists that are no US surname at all
    # ("Enrico", "Lukas") count as given names first too.
    given_first |= {n for n in given if n not in census_surnames and n not in surname}
    words = set()
    with open("/usr/share/dict/american-english", encoding="utf-8") as f:
        for w in f:
            w = w.strip()
            if w and w.islower() and w.isalpha():
                words.add(w)
    common = {n for n in given | surname if n.lower() in words}
    write("given.txt", given)
    write("surname.txt", surname)
    write("common.txt", common)
    write("zh_family.txt", zh_family)
    write("given_first.txt", given_first)


def write(name, items):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for x in sorted(items):
            f.write(x + "\n")
    print(name, len(items))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/lex")
