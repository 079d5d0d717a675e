#!/usr/bin/env python3
"""Writes a seed corpus for the fuzzers from proto/test-vectors: the serial wire bytes of
every frame, command and packet for the deframer, the signed commands for the command checker.

usage: make-seeds.py <test-vectors folder> <output folder>
"""
import json
import sys
from pathlib import Path


def main():
    vectors, out = Path(sys.argv[1]), Path(sys.argv[2])
    frames = json.loads((vectors / "device-frames.json").read_text())
    commands = json.loads((vectors / "device-commands.json").read_text())
    serial = json.loads((vectors / "serial-framing.json").read_text())
    seeds = {
        "serial": [v["serialWireHex"] for v in frames["valid"] + commands["valid"]]
        + [v["wireHex"] for v in serial["valid"] + serial["invalid"]],
        "command": [v["signedCommandHex"] for v in commands["valid"]],
    }
    for kind, items in seeds.items():
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for i, item in enumerate(items):
            (folder / f"seed-{i}").write_bytes(bytes.fromhex(item))


if __name__ == "__main__":
    main()
