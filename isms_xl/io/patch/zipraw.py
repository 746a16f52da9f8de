"""Copy a zip archive member by member, replacing some members and keeping the rest raw.

``zipfile`` cannot copy a member without decompressing and compressing it again, and a new
deflate stream is not the old one (different level, different zlib). Here untouched members are
copied as the exact bytes of their local entry (header, compressed data, data descriptor), and
their central-directory records are copied too, with only the local-header offset updated. A
replaced member gets a new local entry with the old one's fields (name bytes, flags, method,
time, extra fields) and new CRC and sizes, compressed with the method and the level its flags
announce.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["RawZip", "RawMember", "ZipLayoutError", "write_zip"]

_LOCAL_SIG = b"PK\x03\x04"
_CENTRAL_SIG = b"PK\x01\x02"
_EOCD_SIG = b"PK\x05\x06"
_EOCD64_SIG = b"PK\x06\x06"
_EOCD64_LOC_SIG = b"PK\x06\x07"
_DD_SIG = b"PK\x07\x08"

_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # 46 bytes
_EOCD = struct.Struct("<4sHHHHIIH")  # 22 bytes
_ZIP64_EXTRA = 0x0001
_U32 = 0xFFFFFFFF
_STORED, _DEFLATED = 0, 8


class ZipLayoutError(Exception):
    """The archive is laid out in a way this copier does not reproduce (it says which way)."""


@dataclass
class RawMember:
    name: str
    central: bytes  # the whole central-directory record (46 bytes + name + extra + comment)
    local_offset: int
    local_end: int  # end of the local entry (after the data descriptor, if any)
    data_offset: int  # start of the compressed data
    flags: int
    method: int
    crc: int
    compress_size: int
    file_size: int
    local_header: bytes  # 30 bytes + name + extra, as stored


def _split_extra(extra: bytes) -> list[tuple[int, bytes]]:
    out = []
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        out.append((tag, extra[pos + 4: pos + 4 + size]))
        pos += 4 + size
    if pos != len(extra):  # trailing padding some writers add; keep it as an unknown block
        out.append((-1, extra[pos:]))
    return out


def _join_extra(blocks: list[tuple[int, bytes]]) -> bytes:
    return b"".join(body if tag == -1 else struct.pack("<HH", tag, len(body)) + body
                    for tag, body in blocks)


class RawZip:
    """The central directory of an archive held in memory, parsed with its raw records."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        eocd = data.rfind(_EOCD_SIG, max(0, len(data) - 65557))
        if eocd < 0 or eocd + 22 > len(data):
            raise ZipLayoutError("no end-of-central-directory record")
        (_, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len) = _EOCD.unpack_from(data, eocd)
        self.comment = data[eocd + 22: eocd + 22 + comment_len]
        if disk != 0 or cd_disk != 0 or n_disk != n_total:
            raise ZipLayoutError("multi-disk archive")
        if cd_offset == _U32 or n_total == 0xFFFF or cd_size == _U32:
            loc = eocd - 20
            if loc < 0 or data[loc:loc + 4] != _EOCD64_LOC_SIG:
                raise ZipLayoutError("zip64 archive without its locator")
            (eocd64,) = struct.unpack_from("<Q", data, loc + 8)
            if data[eocd64:eocd64 + 4] != _EOCD64_SIG:
                raise ZipLayoutError("bad zip64 end record")
            n_total, cd_size, cd_offset = struct.unpack_from("<QQQ", data, eocd64 + 32)
        self.members: list[RawMember] = []
        pos = cd_offset
        for _ in range(n_total):
            if data[pos:pos + 4] != _CENTRAL_SIG:
                raise ZipLayoutError("central directory record out of place (data before the archive?)")
            fields = _CENTRAL.unpack_from(data, pos)
            flags, method, crc, csize, usize = fields[3], fields[4], fields[7], fields[8], fields[9]
            name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
            offset = fields[16]
            end = pos + 46 + name_len + extra_len + comment_len
            central = data[pos:end]
            raw_name = central[46:46 + name_len]
            extra = central[46 + name_len:46 + name_len + extra_len]
            if _U32 in (csize, usize, offset):
                z64 = dict(_split_extra(extra)).get(_ZIP64_EXTRA, b"")
                vals = list(struct.unpack_from(f"<{len(z64) // 8}Q", z64)) if z64 else []
                if usize == _U32 and vals:
                    usize = vals.pop(0)
                if csize == _U32 and vals:
                    csize = vals.pop(0)
                if offset == _U32 and vals:
                    offset = vals.pop(0)
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
            self.members.append(self._local(name, central, offset, flags, method, crc, csize, usize))
            pos = end
        self.by_name = {m.name: m for m in self.members}

    def _local(self, name: str, central: bytes, offset: int, flags: int, method: int, crc: int,
               csize: int, usize: int) -> RawMember:
        data = self.data
        if data[offset:offset + 4] != _LOCAL_SIG:
            raise ZipLayoutError(f"local header of {name} out of place")
        fields = _LOCAL.unpack_from(data, offset)
        name_len, extra_len = fields[9], fields[10]
        data_offset = offset + 30 + name_len + extra_len
        end = data_offset + csize
        if end > len(data):
            raise ZipLayoutError(f"{name} runs past the end of the file")
        if flags & 0x8:
            local_extra = data[offset + 30 + name_len:data_offset]
            wide = any(tag == _ZIP64_EXTRA for tag, _ in _split_extra(local_extra))
            sig = 4 if data[end:end + 4] == _DD_SIG else 0
            if wide:
                dd_crc, dd_c, dd_u = struct.unpack_from("<IQQ", data, end + sig)
                size = sig + 20
            else:
                dd_crc, dd_c, dd_u = struct.unpack_from("<III", data, end + sig)
                size = sig + 12
            if (dd_crc, dd_c, dd_u) != (crc, csize, usize):
                raise ZipLayoutError(f"data descriptor of {name} does not match its directory entry")
            end += size
        return RawMember(name=name, central=central, local_offset=offset, local_end=end,
                         data_offset=data_offset, flags=flags, method=method, crc=crc,
                         compress_size=csize, file_size=usize,
                         local_header=data[offset:data_offset])

    def raw_entry(self, m: RawMember) -> bytes:
        """The member's whole local entry: header, compressed data, data descriptor."""
        return self.data[m.local_offset:m.local_end]

    def raw_data(self, m: RawMember) -> bytes:
        return self.data[m.data_offset:m.data_offset + m.compress_size]


def _level(flags: int) -> int:
    # Bits 1-2 of a deflated member's flags: 0 normal, 1 maximum, 2 fast, 3 super fast.
    return {0: 6, 1: 9, 2: 1, 3: 1}[(flags >> 1) & 3]


def _set_offset(central: bytes, offset: int) -> bytes:
    (old,) = struct.unpack_from("<I", central, 42)
    if old != _U32:
        if offset >= _U32:
            raise ZipLayoutError("archive would need zip64 offsets")
        return central[:42] + struct.pack("<I", offset) + central[46:]
    # The offset lives in the zip64 extra block, after any sizes that are also there.
    name_len, extra_len = struct.unpack_from("<HH", central, 28)
    csize, usize = struct.unpack_from("<II", central, 20)
    start = 46 + name_len
    blocks = _split_extra(central[start:start + extra_len])
    out = []
    for tag, body in blocks:
        if tag == _ZIP64_EXTRA:
            index = (usize == _U32) + (csize == _U32)
            vals = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
            vals[index] = offset
            body = struct.pack(f"<{len(vals)}Q", *vals) + body[len(vals) * 8:]
        out.append((tag, body))
    extra = _join_extra(out)
    return central[:start] + extra + central[start + extra_len:]


def _compress(content: bytes, method: int, flags: int) -> bytes:
    if method == _STORED:
        return content
    if method != _DEFLATED:
        raise ZipLayoutError(f"compression method {method}")
    co = zlib.compressobj(_level(flags), zlib.DEFLATED, -15)
    return co.compress(content) + co.flush()


def _replaced_entry(m: RawMember, content: bytes, offset: int) -> tuple[bytes, bytes]:
    """(local entry, central record) for member ``m`` with new uncompressed ``content``."""
    compressed = _compress(content, m.method, m.flags)
    crc = zlib.crc32(content)
    flags = m.flags & ~0x8  # sizes go into the header; no data descriptor
    if len(compressed) >= _U32 or len(content) >= _U32:
        raise ZipLayoutError("member would need zip64")
    lh = m.local_header
    fields = list(_LOCAL.unpack_from(lh, 0))
    name_len, extra_len = fields[9], fields[10]
    name = lh[30:30 + name_len]
    extra = _join_extra([b for b in _split_extra(lh[30 + name_len:30 + name_len + extra_len])
                         if b[0] != _ZIP64_EXTRA])
    fields[2], fields[6], fields[7], fields[8], fields[10] = flags, crc, len(compressed), len(content), len(extra)
    local = _LOCAL.pack(*fields) + name + extra
    c = m.central
    cfields = list(_CENTRAL.unpack_from(c, 0))
    cname_len, cextra_len, ccomment_len = cfields[10], cfields[11], cfields[12]
    cname = c[46:46 + cname_len]
    cextra = _join_extra([b for b in _split_extra(c[46 + cname_len:46 + cname_len + cextra_len])
                          if b[0] != _ZIP64_EXTRA])
    ccomment = c[46 + cname_len + cextra_len:46 + cname_len + cextra_len + ccomment_len]
    if offset >= _U32:
        raise ZipLayoutError("archive would need zip64 offsets")
    cfields[3], cfields[7], cfields[8], cfields[9] = flags, crc, len(compressed), len(content)
    cfields[11], cfields[16] = len(cextra), offset
    central = _CENTRAL.pack(*cfields) + cname + cextra + ccomment
    return local + compressed, central


def write_zip(src: RawZip, replace: Mapping[str, bytes], remove: frozenset[str] | set[str] = frozenset()) -> bytes:
    """A new archive: ``src`` with the members in ``replace`` given new (uncompressed) content
    and the members in ``remove`` left out; local entries keep their order, the central
    directory its own."""
    unknown = (set(replace) | set(remove)) - set(src.by_name)
    if unknown:
        raise KeyError(f"not in the archive: {sorted(unknown)}")
    pieces: list[bytes] = []
    central_of: dict[str, bytes] = {}
    pos = 0
    for m in sorted(src.members, key=lambda m: m.local_offset):
        if m.name in remove:
            continue
        if m.name in replace:
            entry, central = _replaced_entry(m, replace[m.name], pos)
        else:
            entry, central = src.raw_entry(m), _set_offset(m.central, pos)
        pieces.append(entry)
        central_of[m.name] = central
        pos += len(entry)
    cd = b"".join(central_of[m.name] for m in src.members if m.name in central_of)
    n = len(central_of)
    if n >= 0xFFFF or pos >= _U32:
        raise ZipLayoutError("archive would need zip64")
    eocd = _EOCD.pack(_EOCD_SIG, 0, 0, n, n, len(cd), pos, len(src.comment)) + src.comment
    pieces.append(cd)
    pieces.append(eocd)
    return b"".join(pieces)
