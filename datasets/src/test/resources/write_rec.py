#!/usr/bin/env python3
"""Independent IndexedRecordIO writer (dmlc-core framing + mx.recordio.pack), stdlib only.

Usage: write_rec.py OUT_DIR
Writes OUT_DIR/train.rec, train.idx, property in InsightFace layout with three identities; one
image payload contains the magic word 4-byte aligned so that the record is split into chunks.
"""
import os
import struct
import sys

MAGIC = 0xCED7230A


def frame(payload):
    """dmlc::RecordIOWriter::WriteRecord."""
    out = bytearray()
    magic = struct.pack("<I", MAGIC)
    n = len(payload)
    lower = (n >> 2) << 2
    dptr = 0
    for i in range(0, lower, 4):
        if payload[i:i + 4] == magic:
            out += magic + struct.pack("<I", ((1 if dptr == 0 else 2) << 29) | (i - dptr))
            out += payload[dptr:i]
            dptr = i + 4
    out += magic + struct.pack("<I", ((3 if dptr != 0 else 0) << 29) | (n - dptr))
    out += payload[dptr:]
    out += b"\0" * (((n + 3) >> 2 << 2) - n)
    return bytes(out)


def pack(label, image, id_=0):
    """mx.recordio.pack: IRHeader 'IfQQ' then optional float32 labels, then the image."""
    if isinstance(label, (list, tuple)):
        head = struct.pack("<IfQQ", len(label), 0.0, id_, 0)
        head += struct.pack("<%df" % len(label), *label)
    else:
        head = struct.pack("<IfQQ", 0, float(label), id_, 0)
    return head + image


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    magic = struct.pack("<I", MAGIC)
    images = []  # (label, bytes)
    for label, count in ((0, 3), (1, 2), (2, 4)):
        for j in range(count):
            body = bytes([label * 16 + j]) * (5 + j)
            if label == 1 and j == 0:
                # header is 24 bytes, so offset 24 + 4 is 4-aligned in the payload
                body = b"abcd" + magic + b"tail" + magic + b"xyz"
            images.append((label, body))
    records = []  # (key, payload)
    key = 1
    ranges = {}
    for label, body in images:
        records.append((key, pack(label, body, key)))
        ranges.setdefault(label, [key, key])[1] = key + 1
        key += 1
    first_id = key
    for label in sorted(ranges):
        records.append((key, pack(list(map(float, ranges[label])), b"")))
        key += 1
    records.insert(0, (0, pack([float(first_id), float(key)], b"")))
    with open(os.path.join(out_dir, "train.rec"), "wb") as rec, \
            open(os.path.join(out_dir, "train.idx"), "w") as idx:
        for k, payload in records:
            idx.write("%d\t%d\n" % (k, rec.tell()))
            rec.write(frame(payload))
    with open(os.path.join(out_dir, "property"), "w") as p:
        p.write("3,112,112")
    for label, body in images:
        sys.stdout.write("%d %s\n" % (label, body.hex()))


if __name__ == "__main__":
    main(sys.argv[1])
