"""Reading the built site's packs (``packs/*.pack.xz``, ``packs/second.pack.gz``, or
uncompressed ``*.pack``): an oracle written apart from ``static/pack.js``, the site's own
reader."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path


def read_pack(path: Path) -> dict[str, bytes]:
    """``{path: bytes}`` of a pack: ``[u32 LE header length][JSON [[path, size], ...]][bytes]``."""
    data = path.read_bytes()
    if path.suffix in (".xz", ".gz"):
        data = (lzma.decompress if path.suffix == ".xz" else gzip.decompress)(data)
    header_length = int.from_bytes(data[:4], "little")
    index = json.loads(data[4 : 4 + header_length])
    files, offset = {}, 4 + header_length
    for name, size in index:
        files[name] = data[offset : offset + size]
        offset += size
    assert offset == len(data)
    return files
