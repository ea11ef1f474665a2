#!/usr/bin/env python3
"""Turns a JDK Flight Recorder file into collapsed stacks and a flame graph SVG, with the JDK's own
`jfr` tool and the Python standard library only (no download, no flamegraph.pl).

    jfr-flame.py [--from-collapsed] [--events jdk.ExecutionSample,...] [--thread REGEX] [--collapsed OUT]
                 [--title TEXT] RECORDING.jfr > graph.svg

Collapsed stacks: one line per distinct stack, frames root first separated by ';', then a space and
the number of samples (the format of Brendan Gregg's flamegraph.pl, so other tools read it too).
The SVG is self-contained: hover a frame for its name, samples and share; no script.
"""
import argparse
import collections
import html
import json
import re
import subprocess
import sys

MAX_DEPTH = 128  # deeper stacks are cut at the root side (jfr's own limit is 64 by default)


def read_samples(recording, events, thread_pattern):
    """Yields (thread name, frames leaf first) for every sample of the given event types."""
    out = subprocess.run(
        ["jfr", "print", "--json", "--stack-depth", str(MAX_DEPTH), "--events", ",".join(events), recording],
        check=True, capture_output=True, text=True).stdout
    for event in json.loads(out)["recording"]["events"]:
        values = event["values"]
        thread = (values.get("sampledThread") or {}).get("javaName") or "?"
        if thread_pattern and not re.search(thread_pattern, thread):
            continue
        trace = values.get("stackTrace") or {}
        frames = []
        for frame in trace.get("frames") or []:
            method = frame["method"]
            frames.append(method["type"]["name"].replace("/", ".") + "." + method["name"])
        if trace.get("truncated"):
            frames.append("[truncated]")
        yield thread, frames


def collapse(samples):
    counts = collections.Counter()
    for thread, frames in samples:
        # Threads of one pool (nioEventLoopGroup-2-1, -2-2) share a root so their work adds up.
        root = re.sub(r"[-#]?\d+", "", thread) or thread
        counts[";".join(["[" + root + "]"] + list(reversed(frames)))] += 1
    return counts


def read_collapsed(path):
    counts = collections.Counter()
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if stack and n.isdigit():
                counts[stack] += int(n)
    return counts


class Node:
    __slots__ = ("name", "count", "children")

    def __init__(self, name):
        self.name, self.count, self.children = name, 0, {}


def build_tree(counts):
    root = Node("all")
    for stack, n in counts.items():
        root.count += n
        node = root
        for name in stack.split(";"):
            node = node.children.setdefault(name, Node(name))
            node.count += n
    return root


def colour(name):
    """Warm for KVStore's code, green for the JDK, blue for Netty and RocksDB, grey for the rest."""
    h = sum(map(ord, name)) % 40
    name = name.replace("/", ".")
    if name.startswith("io.kvstore."):
        return "rgb(%d,%d,%d)" % (225 + h // 3, 90 + h * 2, 40)
    if name.startswith(("java.", "jdk.", "sun.")):
        return "rgb(%d,%d,%d)" % (80 + h, 180 + h, 80)
    if name.startswith(("io.netty.", "org.rocksdb.")):
        return "rgb(%d,%d,%d)" % (80 + h, 140 + h, 220)
    return "rgb(%d,%d,%d)" % (170 + h, 170 + h, 170 + h)


def render(tree, title, width=1400, row=17):
    depth = 0

    def measure(node, d):
        nonlocal depth
        depth = max(depth, d)
        for child in node.children.values():
            measure(child, d + 1)

    measure(tree, 0)
    top = 40
    height = top + (depth + 1) * row + 10
    scale = (width - 20) / max(tree.count, 1)
    out = [
        '<?xml version="1.0" standalone="no"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="monospace" font-size="11">'
        % (width, height),
        '<rect width="100%" height="100%" fill="#f8f8f8"/>',
        '<text x="10" y="18" font-size="14">%s</text>' % html.escape(title),
        '<text x="10" y="33" fill="#555">%d samples; width = share of samples; root at the bottom; hover for names</text>'
        % tree.count,
    ]

    def draw(node, x, d):
        w = node.count * scale
        if w < 0.3:
            return
        y = height - 10 - (d + 1) * row
        share = 100.0 * node.count / max(tree.count, 1)
        label = html.escape("%s (%d samples, %.2f%%)" % (node.name, node.count, share))
        out.append('<g><title>%s</title><rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" rx="1"/>'
                   % (label, x, y, w, row - 1, colour(node.name)))
        chars = int(w / 6.6)
        if chars >= 3:
            text = node.name if len(node.name) <= chars else node.name[:chars - 2] + ".."
            out.append('<text x="%.2f" y="%d">%s</text>' % (x + 3, y + row - 5, html.escape(text)))
        out.append('</g>')
        for child in sorted(node.children.values(), key=lambda c: c.name):
            draw(child, x, d + 1)
            x += child.count * scale

    draw(tree, 10, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recording")
    parser.add_argument("--events", default="jdk.ExecutionSample")
    parser.add_argument("--thread", help="keep only threads whose name matches this regular expression")
    parser.add_argument("--collapsed", help="also write the collapsed stacks to this file")
    parser.add_argument("--title", default="JFR execution samples")
    parser.add_argument("--from-collapsed", action="store_true",
                        help="the input is collapsed stacks already (e.g. async-profiler's), not a recording")
    args = parser.parse_args()
    if args.from_collapsed:
        counts = read_collapsed(args.recording)
    else:
        counts = collapse(read_samples(args.recording, args.events.split(","), args.thread))
    if not counts:
        sys.exit("no samples of %s in %s" % (args.events, args.recording))
    if args.collapsed:
        with open(args.collapsed, "w") as f:
            for stack, n in sorted(counts.items()):
                f.write("%s %d\n" % (stack, n))
    sys.stdout.write(render(build_tree(counts), args.title))


if __name__ == "__main__":
    main()
