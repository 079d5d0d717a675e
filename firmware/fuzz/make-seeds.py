#!/usr/bin/env python3
"""Writes a seed corpus for the fuzzers from proto/test-vectors: the serial wire bytes of
every frame, command and packet for the deframer, the signed commands for the command checker,
the provisioning requests in their GatewayMessage for the provisioning fuzzer.

usage: make-seeds.py <test-vectors folder> <output folder>
"""
import json
import sys
from pathlib import Path


def provision_message(request_hex):
    """The GatewayMessage carrying a provisioning request: field 3, length-delimited."""
    request = bytes.fromhex(request_hex)
    length, size = b"", len(request)
    while True:
        byte = size & 0x7F
        size >>= 7
        length += bytes([byte | (0x80 if size else 0)])
        if not size:
            return (b"\x1a" + length + request).hex()


def main():
    vectors, out = Path(sys.argv[1]), Path(sys.argv[2])
    frames, commands, serial, provisioning = (
        json.loads((vectors / f"{name}.json").read_text())
        for name in ("device-frames", "device-commands", "serial-framing", "provisioning")
    )
    seeds = {
        "serial": [v["serialWireHex"] for v in frames["valid"] + commands["valid"]]
        + [v["wireHex"] for v in serial["valid"] + serial["invalid"]],
        "command": [v["signedCommandHex"] for v in commands["valid"]],
        # An even first byte (0x1a, the request's tag) selects the provisioned device; each
        # seed also comes after an unknown fixed32 field (0x25, odd) for the device never
        # provisioned.
        "provision": [v["gatewayMessageHex"] for v in provisioning["valid"]]
        + ["2500000000" + v["gatewayMessageHex"] for v in provisioning["valid"]]
        + [provision_message(v["requestHex"]) for v in provisioning["invalid"]],
    }
    for kind, items in seeds.items():
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for i, item in enumerate(items):
            (folder / f"seed-{i}").write_bytes(bytes.fromhex(item))


if __name__ == "__main__":
    main()
