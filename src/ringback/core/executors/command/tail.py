"""The last bytes of a command's output, in bounded memory."""

from __future__ import annotations

ELLIPSIS = "…"
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))  # 10xxxxxx: the middle of a UTF-8 character


class TailBuffer:
    """Keeps only the last ``limit_bytes`` of everything fed to it."""

    def __init__(self, limit_bytes: int) -> None:
        if limit_bytes < 16:
            raise ValueError("keep at least 16 bytes")
        self._limit = limit_bytes
        self._kept = bytearray()
        self.total_bytes = 0

    def feed(self, chunk: bytes) -> None:
        self.total_bytes += len(chunk)
        if len(chunk) >= self._limit:
            self._kept = bytearray(chunk[-self._limit :])
            return
        self._kept += chunk
        excess = len(self._kept) - self._limit
        if excess > 0:
            del self._kept[:excess]

    @property
    def truncated(self) -> bool:
        return self.total_bytes > len(self._kept)

    def text(self) -> str:
        """The kept output as text of at most ``limit_bytes`` UTF-8 bytes.

        When output was dropped, the first (partial) line goes too and an ellipsis
        marks the cut, so the excerpt starts at a line boundary.
        """
        kept = bytes(self._kept)
        if not self.truncated:
            whole = kept.decode("utf-8", errors="replace")
            if len(whole.encode()) <= self._limit:
                return whole
        room = self._limit - len(ELLIPSIS.encode())
        # The cut may split a character: drop its orphaned continuation bytes.
        text = kept[-room:].lstrip(_CONTINUATION_BYTES).decode("utf-8", errors="replace")
        newline = text.find("\n")
        if 0 <= newline < len(text) - 1:
            text = text[newline + 1 :]
        # Replacement characters for invalid bytes take more room than the bytes did.
        raw = text.encode()
        if len(raw) > room:
            text = raw[-room:].lstrip(_CONTINUATION_BYTES).decode("utf-8", errors="ignore")
        return ELLIPSIS + text
