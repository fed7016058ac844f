#!/usr/bin/env python3
# Extracts named definitions from Linux 6.1's btrfs sources, by name, into
# one C fragment per variant (as_shipped, reverted) for the kernel61 harness.
#
# The kernel text never enters the repository: this script reads it from
# Debian's linux-source-6.1 tarball (or an extracted tree) at build time.
# Every definition is found by its name, its signature is checked against
# the manifest, and each is emitted after a `#line` directive so compiler
# messages, assertion messages and trace events carry the kernel's own
# file:line. The reverted variant differs from as_shipped in exactly one
# line: the fix's `check_buffer_tree_ref(eb);` in read_extent_buffer_pages,
# found by the text around it (never by line number) and blanked, so every
# other line keeps its number.
#
# Usage:
#   extract.py --manifest M --source TARBALL_OR_DIR \
#       --as_shipped OUT1 --reverted OUT2 [--report OUT3]
# Exit status 2 with one message naming what moved when an anchor fails.

import argparse
import os
import re
import sys
import tarfile

KERNEL_FILES = ("fs/btrfs/extent_io.c", "fs/btrfs/disk-io.c",
                "fs/btrfs/extent_io.h")
# Read for VERSION / PATCHLEVEL / SUBLEVEL only.
VERSION_FILE = "Makefile"
EXPECTED_VERSION = (6, 1)
DEFAULT_TARBALL = "/usr/src/linux-source-6.1.tar.xz"

# The fix (commit "btrfs: fix race between readahead and releasepage"):
# the call is the first statement after this line, past one comment.
FIX_FUNCTION = "read_extent_buffer_pages"
FIX_BEFORE = "atomic_set(&eb->io_pages, num_reads);"
FIX_LINE = "check_buffer_tree_ref(eb);"


class AnchorError(Exception):
    pass


def fail(message):
    sys.stderr.write("kernel61 extract: %s\n" % message)
    sys.exit(2)


def normalize(text):
    return " ".join(text.replace("\t", " ").split())


def read_sources(source):
    """Returns {relative path: text} for KERNEL_FILES."""
    texts = {}
    if not source:
        fail("%s not found: run tools/setup.sh (it installs Debian's "
             "linux-source-6.1)" % DEFAULT_TARBALL)
    if os.path.isdir(source):
        for rel in KERNEL_FILES + (VERSION_FILE,):
            path = os.path.join(source, rel)
            if not os.path.exists(path):
                fail("%s: missing %s (is this a Linux 6.1 tree?)" % (source, rel))
            with open(path, encoding="utf-8") as f:
                texts[rel] = f.read()
        return texts
    if not os.path.exists(source):
        fail("%s not found: run tools/setup.sh (it installs Debian's "
             "linux-source-6.1)" % source)
    wanted = set(KERNEL_FILES + (VERSION_FILE,))
    # Streaming: stop as soon as the three files were seen.
    with tarfile.open(source, mode="r|*") as tar:
        for member in tar:
            parts = member.name.split("/", 1)
            if len(parts) == 2 and parts[1] in wanted and member.isfile():
                texts[parts[1]] = tar.extractfile(member).read().decode("utf-8")
                wanted.discard(parts[1])
                if not wanted:
                    break
    if wanted:
        fail("%s: missing %s" % (source, ", ".join(sorted(wanted))))
    return texts


def check_version(makefile):
    """Returns "6.1.N"; fails unless the tree is Linux 6.1."""
    fields = {}
    for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL"):
        m = re.search(r"^%s = (\d+)$" % key, makefile, re.M)
        if not m:
            fail("Makefile: no `%s = N` line: not a Linux tree?" % key)
        fields[key] = int(m.group(1))
    if (fields["VERSION"], fields["PATCHLEVEL"]) != EXPECTED_VERSION:
        fail("Makefile says Linux %d.%d; the manifest is for %d.%d" %
             (fields["VERSION"], fields["PATCHLEVEL"]) + EXPECTED_VERSION)
    return "%d.%d.%d" % (fields["VERSION"], fields["PATCHLEVEL"],
                         fields["SUBLEVEL"])


def skip_balanced(text, pos, open_ch, close_ch):
    """pos at open_ch; returns the index just past its matching close_ch,
    skipping comments, string and character literals."""
    depth = 0
    i = pos
    n = len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise AnchorError("unbalanced %s...%s" % (open_ch, close_ch))


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def line_start(text, pos):
    return text.rfind("\n", 0, pos) + 1


TYPE_PREFIX = re.compile(r"^[A-Za-z_][\w \t\*]*$")


def find_function(text, name):
    """Returns (start, body_start, end) of the one definition of `name`:
    the signature starts at `start`, the body's `{` at `body_start`."""
    found = []
    for m in re.finditer(r"^(?:[A-Za-z_][^\n;]*?[\s*])?%s\(" % re.escape(name), text,
                         re.M):
        # The signature runs to a `{` at column 0; a `;` first means a
        # prototype or a call.
        paren = text.index("(", m.end() - 1)
        try:
            after = skip_balanced(text, paren, "(", ")")
        except AnchorError:
            continue
        brace = re.compile(r"\n\{").search(text, after)
        semi = text.find(";", after)
        if brace is None or (0 <= semi < brace.start()):
            continue
        between = text[after:brace.start()]
        if between.strip() and not re.fullmatch(r"\s*__\w+\([^;{}]*\)\s*",
                                                between):
            continue
        start = line_start(text, m.start())
        # Return type on the lines above (`static struct extent_buffer *`).
        while start > 0:
            prev = line_start(text, start - 1)
            prev_line = text[prev:start - 1]
            if prev_line.strip() and TYPE_PREFIX.match(prev_line) and \
                    not prev_line.rstrip().endswith(("*/", ";", "}")):
                start = prev
            else:
                break
        body = brace.start() + 1
        end = skip_balanced(text, body, "{", "}")
        found.append((start, body, end))
    if not found:
        raise AnchorError("function %s() not found" % name)
    if len(found) > 1:
        lines = ", ".join(str(line_of(text, s)) for s, _, _ in found)
        raise AnchorError("function %s() defined %d times (lines %s); "
                          "pick one in the manifest" % (name, len(found), lines))
    return found[0]


def find_struct(text, name):
    m = list(re.finditer(r"^struct %s \{" % re.escape(name), text, re.M))
    if len(m) != 1:
        raise AnchorError("struct %s: %d definitions at column 0" %
                          (name, len(m)))
    brace = text.index("{", m[0].start())
    end = skip_balanced(text, brace, "{", "}")
    if not text.startswith(";", end):
        raise AnchorError("struct %s: no `;` after its body" % name)
    return m[0].start(), end + 1


def find_enum(text, first):
    """An enum, named or not, found by its first enumerator."""
    hits = []
    for m in re.finditer(r"^enum(?: \w+)? \{\n\s*(\w+)", text, re.M):
        if m.group(1) == first:
            hits.append(m)
    if len(hits) != 1:
        raise AnchorError("enum starting with %s: %d found" % (first, len(hits)))
    brace = text.index("{", hits[0].start())
    end = skip_balanced(text, brace, "{", "}")
    return hits[0].start(), end + 1


def find_define(text, name):
    m = list(re.finditer(r"^#define %s\b[^\n]*$" % re.escape(name), text, re.M))
    if len(m) != 1:
        raise AnchorError("#define %s: %d found" % (name, len(m)))
    return m[0].start(), m[0].end()


def parse_manifest(path):
    """Lines: `FILE KIND NAME [| SIGNATURE]`; # comments."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith(
                "#") else ""
            if not line.strip():
                continue
            head, _, signature = line.partition("|")
            fields = head.split()
            if len(fields) != 3 or fields[0] not in KERNEL_FILES or fields[1] \
                    not in ("function", "struct", "enum", "define"):
                fail("%s:%d: expected `FILE KIND NAME [| SIGNATURE]` with FILE "
                     "one of %s and KIND function/struct/enum/define" %
                     (path, number, ", ".join(KERNEL_FILES)))
            if fields[1] == "function" and not signature.strip():
                fail("%s:%d: function %s needs `| SIGNATURE`" %
                     (path, number, fields[2]))
            entries.append({"file": fields[0], "kind": fields[1],
                            "name": fields[2],
                            "signature": normalize(signature),
                            "where": "%s:%d" % (path, number)})
    return entries


def extract(entries, texts):
    """Returns the definitions: dicts with text, file, line, kind, name."""
    out = []
    for e in entries:
        text = texts[e["file"]]
        where = "%s (%s %s, %s)" % (e["file"], e["kind"], e["name"], e["where"])
        try:
            if e["kind"] == "function":
                start, body, end = find_function(text, e["name"])
                signature = normalize(text[start:body - 1])
                if signature != e["signature"]:
                    raise AnchorError(
                        "signature moved:\n  manifest: %s\n  kernel:   %s" %
                        (e["signature"], signature))
            elif e["kind"] == "struct":
                start, end = find_struct(text, e["name"])
                signature = ""
            elif e["kind"] == "enum":
                start, end = find_enum(text, e["name"])
                signature = ""
            else:
                start, end = find_define(text, e["name"])
                signature = ""
        except AnchorError as err:
            fail("%s: %s" % (where, err))
        out.append(dict(e, text=text[start:end], line=line_of(text, start),
                        signature=signature))
    return out


def revert_fix(defs):
    """Blanks the fix's one line in read_extent_buffer_pages."""
    target = [d for d in defs if d["name"] == FIX_FUNCTION]
    if len(target) != 1:
        fail("the manifest must extract %s() once" % FIX_FUNCTION)
    d = target[0]
    lines = d["text"].split("\n")
    hits = []
    for i, line in enumerate(lines):
        if line.strip() != FIX_BEFORE:
            continue
        j = i + 1
        # Past one block comment (the fix added its comment with the call).
        if j < len(lines) and lines[j].strip().startswith("/*"):
            while j < len(lines) and "*/" not in lines[j]:
                j += 1
            j += 1
        if j < len(lines) and lines[j].strip() == FIX_LINE:
            hits.append(j)
    if len(hits) != 1:
        fail("fs/btrfs/extent_io.c: %s(): expected `%s` right after `%s` "
             "(past one comment) exactly once, found %d: the fix moved" %
             (FIX_FUNCTION, FIX_LINE, FIX_BEFORE, len(hits)))
    fix_line = d["line"] + hits[0]
    reverted = list(lines)
    reverted[hits[0]] = ""  # keeps every later line's number
    return dict(d, text="\n".join(reverted)), fix_line


def render(defs, variant, fix_line):
    out = ["/* Generated by kernel61/extract/extract.py from Debian's "
           "linux-source-6.1: GPL-2.0 kernel text. */",
           "/* Variant: %s. Do not edit; do not commit. */" % variant]
    out.append("/* The fix: fs/btrfs/extent_io.c:%d `%s` (%s). */" %
               (fix_line, FIX_LINE,
                "removed" if variant == "reverted" else "kept"))
    out.append("#define K61_VARIANT_%s 1" % variant.upper())
    types = [d for d in defs if d["kind"] != "function"]
    funcs = [d for d in defs if d["kind"] == "function"]
    for d in types:
        out.append('#line %d "%s"' % (d["line"], d["file"]))
        out.append(d["text"])
    # Every extracted function is static to this translation unit (a
    # `static` prototype gives the later definition internal linkage), so
    # both variants link into one binary, and any order of definitions works.
    out.append("#line 1 \"kernel61-prototypes\"")
    for d in funcs:
        sig = d["signature"]
        if not sig.startswith("static "):
            sig = "static " + sig
        out.append("K61_EXTRACTED %s;" % sig)
    for d in funcs:
        out.append('#line %d "%s"' % (d["line"], d["file"]))
        out.append(d["text"])
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--source", required=True,
                        help="the tarball or an extracted tree; empty: "
                        "the package is missing")
    parser.add_argument("--as_shipped", required=True)
    parser.add_argument("--reverted", required=True)
    parser.add_argument("--report")
    args = parser.parse_args()
    entries = parse_manifest(args.manifest)
    texts = read_sources(args.source)
    version = check_version(texts[VERSION_FILE])
    defs = extract(entries, texts)
    reverted_defs = []
    fix_line = 0
    for d in defs:
        if d["name"] == FIX_FUNCTION:
            d2, fix_line = revert_fix([d])
            reverted_defs.append(d2)
        else:
            reverted_defs.append(d)
    if not fix_line:
        fail("the manifest must extract %s()" % FIX_FUNCTION)
    shipped = render(defs, "as_shipped", fix_line)
    reverted = render(reverted_defs, "reverted", fix_line)
    diff = [(a, b) for a, b in zip(shipped.split("\n"), reverted.split("\n"))
            if a != b]
    # The header comment and the variant macro differ, plus the one line.
    kernel_diff = [p for p in diff if not p[0].startswith(("/*", "#define K61"))]
    if len(kernel_diff) != 1 or kernel_diff[0][0].strip() != FIX_LINE:
        fail("internal: reverted differs from as_shipped in %d kernel lines" %
             len(kernel_diff))
    for path, text in ((args.as_shipped, shipped), (args.reverted, reverted)):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    if args.report:
        funcs = [d for d in defs if d["kind"] == "function"]
        lines = sum(d["text"].count("\n") + 1 for d in defs)
        with open(args.report, "w", encoding="utf-8") as f:
            f.write("linux %s definitions %d (functions %d) lines %d "
                    "fix_line fs/btrfs/extent_io.c:%d\n" %
                    (version, len(defs), len(funcs), lines, fix_line))
            for d in defs:
                f.write("%s:%d %s %s\n" % (d["file"], d["line"], d["kind"],
                                          d["name"]))


if __name__ == "__main__":
    main()
