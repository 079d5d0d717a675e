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


def main():
    folder, output = Path(sys.argv[1]), Path(sys.argv[2])
    frames = json.loads((folder / "device-frames.json").read_text())
    commands = json.loads((folder / "device-commands.json").read_text())
    serial = json.loads((folder / "serial-framing.json").read_text())
    links = json.loads((folder / "link-messages.json").read_text())
    provisioning = json.loads((folder / "provisioning.json").read_text())
    out = Emitter()
    tables = []

    keys = [
        f"const tv_bytes TV_DEVICE_PRIVATE_KEY = {out.bytes(frames['devicePrivateKeyHex'])};",
        f"const tv_bytes TV_DEVICE_PUBLIC_KEY = {out.bytes(frames['devicePublicKeyHex'])};",
        f"const tv_bytes TV_GATEWAY_PRIVATE_KEY = {out.bytes(commands['gatewayPrivateKeyHex'])};",
        f"const tv_bytes TV_GATEWAY_PUBLIC_KEY = {out.bytes(commands['gatewayPublicKeyHex'])};",
        f"const size_t TV_MAX_PAYLOAD = {serial['maxPayloadBytes']};",
        f"const char *const TV_FIRMWARE_VERSION = {c_string(provisioning['firmwareVersion'])};",
    ]
    groups = {
        ("tv_frame", "TV_FRAMES", "TV_FRAME_COUNT"): [
            f"{{{c_string(v['name'])}, {message(v['frame'])}, {out.bytes(v['frameHex'])}, "
            f"{out.bytes(v['signatureHex'])}, {out.bytes(v['signedFrameHex'])}, {out.bytes(v['deviceMessageHex'])}, "
            f"{out.bytes(v['serialWireHex'])}}}"
            for v in frames["valid"]
        ],
        ("tv_invalid_frame", "TV_INVALID_FRAMES", "TV_INVALID_FRAME_COUNT"): [
            f"{{{c_string(v['name'])}, {c_string(v['reason'])}, {out.bytes(v['signedFrameHex'])}}}"
            for v in frames["invalid"]
        ],
        ("tv_command", "TV_COMMANDS", "TV_COMMAND_COUNT"): [
            f"{{{c_string(v['name'])}, {command(v['command'])}, {out.bytes(v['commandHex'])}, "
            f"{out.bytes(v['signatureHex'])}, {out.bytes(v['signedCommandHex'])}, {out.bytes(v['gatewayMessageHex'])}, "
            f"{out.bytes(v['serialWireHex'])}}}"
            for v in commands["valid"]
        ],
        ("tv_frame_ack", "TV_FRAME_ACKS", "TV_FRAME_ACK_COUNT"): [
            f"{{{c_string(v['name'])}, {v['frameIndex']}, {out.bytes(v['frameSha256Hex'])}, "
            f"{PREFIX}FrameAckResult_{v['result']}, {PREFIX}FrameRefusal_{v['refusal']}, {v['retryAfterMs']}, "
            f"{out.bytes(v['frameAckHex'])}, {out.bytes(v['gatewayMessageHex'])}, {out.bytes(v['serialWireHex'])}}}"
            for v in links["frameAcks"]
        ],
        ("tv_provision", "TV_PROVISIONS", "TV_PROVISION_COUNT"): [
            f"{{{c_string(v['name'])}, {out.bytes(v['requestHex'])}, {out.bytes(v['gatewayMessageHex'])}, "
            f"{out.bytes(v['serialWireHex'])}, {out.bytes(v['proofHex'])}, {out.bytes(v['signatureHex'])}, "
            f"{out.bytes(v['responseHex'])}, {out.bytes(v['responseDeviceMessageHex'])}, "
            f"{out.bytes(v['responseSerialWireHex'])}}}"
            for v in provisioning["valid"]
        ],
        ("tv_bad_provision", "TV_BAD_PROVISIONS", "TV_BAD_PROVISION_COUNT"): [
            f"{{{c_string(v['name'])}, {c_string(v['field'])}, {out.bytes(v['requestHex'])}}}"
            for v in provisioning["invalid"]
        ],
        ("tv_cobs", "TV_COBS", "TV_COBS_COUNT"): [
            f"{{{out.bytes(v['dataHex'])}, {out.bytes(v['encodedHex'])}}}" for v in serial["cobs"]
        ],
        ("tv_packet", "TV_PACKETS", "TV_PACKET_COUNT"): [
            f"{{{c_string(v['name'])}, {out.bytes(v['payloadHex'])}, {out.bytes(v['wireHex'])}}}"
            for v in serial["valid"]
        ],
        ("tv_bad_packet", "TV_BAD_PACKETS", "TV_BAD_PACKET_COUNT"): [
            f"{{{c_string(v['name'])}, {c_string(v['error'])}, {out.bytes(v['wireHex'])}}}" for v in serial["invalid"]
        ],
    }
    for (c_type, name, count), rows in groups.items():
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
