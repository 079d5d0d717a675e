#!/usr/bin/env python3
"""Turns proto/test-vectors/*.json into C (tests/support/test_vectors.h declares it), so the
firmware tests check the same bytes as the TypeScript tests, on the host and on RISC-V.

usage: test-vectors-to-c.py <test-vectors folder> <output .c>
"""
import json
import re
import sys
from pathlib import Path

PREFIX = "intelledger_device_v1_"
# JSON enum fields and the C enum type whose value names they carry.
ENUMS = {"channel": "Channel", "state": "DeviceState", "result": "CommandResult"}
ONEOF_ACTIONS = ("setSamplingInterval", "setThresholds", "reboot")
# 64-bit fields that proto3 JSON writes as decimal strings (a frame counter can exceed 2^53).
DECIMAL_STRING_FIELDS = {"counter"}


def snake(name):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def c_string(text):
    return json.dumps(text)


class Emitter:
    def __init__(self):
        self.arrays = []
        self.count = 0

    def bytes(self, hex_text):
        """Declares a byte array; returns a tv_bytes initializer."""
        data = bytes.fromhex(hex_text)
        name = f"bytes_{self.count}"
        self.count += 1
        body = ", ".join(f"0x{b:02x}" for b in data) or "0"
        self.arrays.append(f"static const uint8_t {name}[] = {{{body}}};")
        return f"{{{name}, {len(data)}}}"


def value(key, item):
    if key in ENUMS:
        return f"{PREFIX}{ENUMS[key]}_{item}"
    if key in DECIMAL_STRING_FIELDS and isinstance(item, str):
        item = int(item)
    if isinstance(item, str):
        return c_string(item)
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return f"{item}ull" if item > 0x7FFFFFFF else str(item)
    raise ValueError(f"unexpected {key}: {item!r}")


def message(obj):
    """A designated initializer for a nanopb struct from its proto3 JSON form."""
    fields = []
    for key, item in obj.items():
        field = snake(key)
        if isinstance(item, list):
            fields.append(f".{field}_count = {len(item)}")
            fields.append(f".{field} = {{{', '.join(message(e) for e in item)}}}")
        elif isinstance(item, dict):
            fields.append(f".has_{field} = true")
            fields.append(f".{field} = {message(item)}")
        else:
            fields.append(f".{field} = {value(key, item)}")
    return "{" + ", ".join(fields) + "}"


def command(obj):
    fields = []
    for key, item in obj.items():
        if key in ONEOF_ACTIONS:
            field = snake(key)
            fields.append(f".which_action = {PREFIX}DeviceCommand_{field}_tag")
            fields.append(f".action.{field} = {message(item) if item else '{0}'}")
        else:
            fields.append(f".{snake(key)} = {value(key, item)}")
    return "{" + ", ".join(fields) + "}"


def row(out, vector, columns):
    """A struct initializer from a vector's fields in the struct's order: a JSON key (a ...Hex
    key becomes a tv_bytes, any other a value), or a function of the vector."""
    cells = []
    for column in columns:
        if callable(column):
            cells.append(column(vector))
        elif column.endswith("Hex"):
            cells.append(out.bytes(vector[column]))
        else:
            cells.append(value(column, vector[column]))
    return "{" + ", ".join(cells) + "}"


def main():
    folder, output = Path(sys.argv[1]), Path(sys.argv[2])
    frames, commands, serial, links, provisioning = (
        json.loads((folder / f"{name}.json").read_text())
        for name in ("device-frames", "device-commands", "serial-framing", "link-messages", "provisioning")
    )
    out = Emitter()

    keys = [
        f"const tv_bytes TV_DEVICE_PRIVATE_KEY = {out.bytes(frames['devicePrivateKeyHex'])};",
        f"const tv_bytes TV_DEVICE_PUBLIC_KEY = {out.bytes(frames['devicePublicKeyHex'])};",
        f"const tv_bytes TV_GATEWAY_PRIVATE_KEY = {out.bytes(commands['gatewayPrivateKeyHex'])};",
        f"const tv_bytes TV_GATEWAY_PUBLIC_KEY = {out.bytes(commands['gatewayPublicKeyHex'])};",
        f"const size_t TV_MAX_PAYLOAD = {serial['maxPayloadBytes']};",
        f"const char *const TV_FIRMWARE_VERSION = {c_string(provisioning['firmwareVersion'])};",
    ]
    # C type, array, count, the vectors, and their fields as the struct in test_vectors.h orders them.
    groups = [
        ("tv_frame", "TV_FRAMES", "TV_FRAME_COUNT", frames["valid"],
         ("name", lambda v: message(v["frame"]), "frameHex", "signatureHex", "signedFrameHex", "deviceMessageHex",
          "serialWireHex")),
        ("tv_invalid_frame", "TV_INVALID_FRAMES", "TV_INVALID_FRAME_COUNT", frames["invalid"],
         ("name", "reason", "signedFrameHex")),
        ("tv_command", "TV_COMMANDS", "TV_COMMAND_COUNT", commands["valid"],
         ("name", lambda v: command(v["command"]), "commandHex", "signatureHex", "signedCommandHex",
          "gatewayMessageHex", "serialWireHex")),
        ("tv_frame_ack", "TV_FRAME_ACKS", "TV_FRAME_ACK_COUNT", links["frameAcks"],
         ("name", "frameIndex", "frameSha256Hex", lambda v: f"{PREFIX}FrameAckResult_{v['result']}",
          lambda v: f"{PREFIX}FrameRefusal_{v['refusal']}", "retryAfterMs", "frameAckHex", "gatewayMessageHex",
          "serialWireHex")),
        ("tv_provision", "TV_PROVISIONS", "TV_PROVISION_COUNT", provisioning["valid"],
         ("name", "requestHex", "gatewayMessageHex", "serialWireHex", "proofHex", "signatureHex", "responseHex",
          "responseDeviceMessageHex", "responseSerialWireHex")),
        ("tv_bad_provision", "TV_BAD_PROVISIONS", "TV_BAD_PROVISION_COUNT", provisioning["invalid"],
         ("name", "field", "requestHex")),
        ("tv_cobs", "TV_COBS", "TV_COBS_COUNT", serial["cobs"], ("dataHex", "encodedHex")),
        ("tv_packet", "TV_PACKETS", "TV_PACKET_COUNT", serial["valid"], ("name", "payloadHex", "wireHex")),
        ("tv_bad_packet", "TV_BAD_PACKETS", "TV_BAD_PACKET_COUNT", serial["invalid"], ("name", "error", "wireHex")),
    ]
    tables = []
    for c_type, name, count, vectors, columns in groups:
        rows = [row(out, v, columns) for v in vectors]
        tables.append(f"const {c_type} {name}[] = {{\n    " + ",\n    ".join(rows) + "\n};")
        tables.append(f"const size_t {count} = {len(rows)};")

    output.write_text(
        "/* Generated by firmware/scripts/test-vectors-to-c.py from proto/test-vectors; do not edit. */\n"
        '#include "test_vectors.h"\n\n#include <stdbool.h>\n\n'
        + "\n".join(out.arrays)
        + "\n\n"
        + "\n".join(keys)
        + "\n\n"
        + "\n\n".join(tables)
        + "\n"
    )


if __name__ == "__main__":
    main()
