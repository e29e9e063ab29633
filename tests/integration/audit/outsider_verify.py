#!/usr/bin/env python3
"""Verify a Liaison ledger export, and optionally an inclusion proof, with
nothing but Python's standard library and an Ed25519 implementation
(the `cryptography` package). This is the recipe of docs/ledger.md,
"Verifying without Liaison": an outsider's check that shares no code with
the broker.

    outsider_verify.py VKEY-FILE EXPORT.jsonl [PROOF.tlog-proof]

Exit 0 when everything verifies, 1 otherwise.
"""
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(leaves):
    """RFC 6962 Merkle tree hash, iteratively: a stack of complete subtrees."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    stack = []  # (height, hash)
    for i, h in enumerate(leaves):
        height = 0
        n = i
        while n & 1:
            _, left = stack.pop()
            h = node_hash(left, h)
            height += 1
            n >>= 1
        stack.append((height, h))
    h = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        h = node_hash(left, h)
    return h


def parse_vkey(vkey):
    name, key_id, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key, validate=True)
    assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 note key"
    pk = raw[1:]
    want = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]
    assert want.hex() == key_id, "key id does not match the key"
    return name, want, pk


def open_checkpoint(note, vkey):
    """C2SP signed note: text, blank line, signature lines; returns (origin, size, root)."""
    name, key_id, pk = vkey
    split = note.rindex("\n\n")
    text, sigs = note[: split + 1], note[split + 2 :]
    verified = False
    for line in sigs.splitlines():
        dash, signer, sig = line.split(" ")
        assert dash == "\u2014", "signature line must start with an em dash"
        raw = base64.b64decode(sig, validate=True)
        if signer == name and raw[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(pk).verify(raw[4:], text.encode())
            verified = True
    assert verified, "no signature by the broker's key"
    origin, size, root = text.split("\n")[:3]
    assert origin == name, "checkpoint of another log"
    assert size == str(int(size)), "size with leading zeros"
    return origin, int(size), base64.b64decode(root, validate=True)


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 section 2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main():
    vkey = parse_vkey(open(sys.argv[1]).read())
    lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "liaison-ledger-export/1"
    checkpoint = json.loads(lines[-1])["checkpoint"]
    leaves = []
    for n, line in enumerate(lines[1:-1]):
        rec = json.loads(line)
        assert rec["seq"] == n, f"record {n} is missing"
        data = base64.b64decode(rec["record"], validate=True)
        leaves.append(leaf_hash(data))
        assert rec["leaf"] == leaves[-1].hex(), f"record {n}: leaf hash"
    origin, size, root = open_checkpoint(checkpoint, vkey)
    assert size == len(leaves) == header["size"], "export and checkpoint sizes differ"
    assert root_of(leaves) == root, "records do not match the signed root"
    print(f"export: {size} records of {origin} match the signed checkpoint")

    if len(sys.argv) > 3:
        text = open(sys.argv[3], encoding="utf-8").read()
        head, note = text.split("\n\n", 1)
        head = head.split("\n")
        assert head[0] == "c2sp.org/tlog-proof@v1"
        record = base64.b64decode(head[1].removeprefix("extra "), validate=True)
        index = int(head[2].removeprefix("index "))
        proof = [base64.b64decode(h, validate=True) for h in head[3:]]
        _, psize, proot = open_checkpoint(note, vkey)
        assert verify_inclusion(leaf_hash(record), index, psize, proof, proot), "inclusion"
        print(f"proof: record {index} is in the tree of {psize} records")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, InvalidSignature, ValueError, KeyError) as e:
        print(f"verification FAILED: {e!r}", file=sys.stderr)
        sys.exit(1)
