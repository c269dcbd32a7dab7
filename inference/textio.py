"""Reading dump files: bytes -> clean text (binary detection, decoding, mojibake repair, whitespace)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import ftfy

log = logging.getLogger(__name__)

_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or DOCX/XLSX)",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"PAR1": "a Parquet file",
}
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# C0 controls other than tab/newline/CR/form feed: rare in text, common in binary data.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))

# A UTF-8 lead byte read as cp1252/latin-1 followed by a continuation byte read the same way: the mojibake signature
# (``â€™``, ``Ã©``, ``Â\xa0``). Lines with it go through ftfy; clean lines skip it, which keeps segmentation fast.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]"
)
# Everything that is whitespace but not a line break becomes one plain space; zero-width characters and BOMs vanish.
_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c\x1c-\x1f\x85\u2028\u2029 ]+")
_INVISIBLE = re.compile("[\ufeff\u200b-\u200d\u2060\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


# Lossy mojibake: ``”`` (UTF-8 ``E2 80 9D``) read as cp1252 with replacement gives ``â€�`` (0x9D has no cp1252
# character), or ``â€`` when the undefined byte was dropped. ftfy cannot restore it (it leaves a bare ``�``), but the
# context makes it near certain: at the end of a word (before a space, punctuation or the line end) it was a closing
# ``”``; at the start of a word, after a space or an opening bracket, an opening ``“``.
_LOSSY_CLOSE = re.compile("(?<=[^\\s(\\[{])\u00e2\u20ac\ufffd?(?=[\\s.,;:!?)\\]}'\u2026-]|$)")
_LOSSY_OPEN = re.compile("(?:(?<=[\\s(\\[{])|^)\u00e2\u20ac\ufffd(?=\\w)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def repair_lossy_mojibake(text: str) -> str:
    """Restore the quotes of lossy ``â€�`` mojibake (see above); other text is returned unchanged."""
    if "\u00e2\u20ac" not in text:
        return text
    return _LOSSY_OPEN.sub("\u201c", _LOSSY_CLOSE.sub("\u201d", text))


def scrub_surrogates(text: str) -> tuple[str, int]:
    """``text`` with every lone surrogate (``"\\ud800"`` in JSON: not encodable, crashes tokenizers and hashes)
    replaced by U+FFFD, and how many were replaced."""
    if not _SURROGATE.search(text):
        return text, 0
    return _SURROGATE.subn("\ufffd", text)


def binary_reason(head: bytes) -> str | None:
    """Why the first bytes of a stream look like binary data (``"a PDF document"``...), or ``None`` for text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text with its byte-order mark (NUL bytes are normal there)
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return f"binary file ({what})"
    if b"\x00" in head:
        return "binary or non-text file (contains NUL bytes)"
    if head and sum(head.count(bytes([b])) for b in _CONTROL_BYTES) > 0.05 * len(head):
        return "binary or non-text file (too many control bytes)"
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode a dump's bytes to text.

    Raises ``ValueError`` naming ``name`` for binary or non-text data. Undecodable bytes are replaced with U+FFFD
    and reported in one warning with their count.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-16":
                try:
                    return data.decode("utf-16")
                except UnicodeDecodeError as exc:
                    raise ValueError(f"{name}: not valid UTF-16 text despite its byte-order mark ({exc})") from exc
            data = data[len(bom) :]
            break
    reason = binary_reason(data[:8192])
    if reason is not None:
        raise ValueError(f"{name}: {reason}, not a text dump")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    # Count only the replacement characters the decoder introduced, not ones already encoded in the file.
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    if replaced > len(text) // 4:
        raise ValueError(f"{name}: not UTF-8 text ({replaced} undecodable bytes in {len(data)}), not a text dump")
    log.warning("%s: replaced %d undecodable byte sequence(s) with U+FFFD", name, replaced)
    return text


def read_text(path: str | Path) -> str:
    """Read and decode a dump file (see ``decode_bytes``); a missing file raises ``FileNotFoundError``."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, not a dump file")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    return decode_bytes(path.read_bytes(), str(path))


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only, so line numbers match what editors and ``wc -l`` show."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def clean_line(line: str) -> str:
    """One line, repaired: mojibake fixed with ftfy, BOM/zero-width/control characters dropped, spaces collapsed."""
    line = repair_lossy_mojibake(line)
    if _MOJIBAKE.search(line):
        line = ftfy.fix_encoding(line)  # only ftfy's encoding repairs: quotes, HTML entities, widths stay as written
    line = _INVISIBLE.sub("", line)
    return _SPACES.sub(" ", line).strip()


def has_mojibake(text: str) -> bool:
    """Whether ``text`` still shows the UTF-8-read-as-cp1252 signature."""
    return _MOJIBAKE.search(text) is not None
