"""From the bank's payload to checked statement lines (pure; run in a thread).

Decoding enforces the source's limits, parsing checks the file's own totals; either
failure is an ``InvalidInput`` and nothing is kept. Only a file that passes both is
stored, so a hostile or truncated file never leaves a blob or a report behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..decode import DecodedFile, base64_payload, decode_statement_bytes
from ..formats import ParsedStatement, parse_format_spec
from .pull import ReceivedFile
from .source import StatementSource


@dataclass(frozen=True, slots=True)
class Unpacked:
    raw: bytes  # the payload's bytes: what the blob keeps
    decoded: DecodedFile
    statement: ParsedStatement


def unpack(payload: str | bytes, source: StatementSource) -> Unpacked:
    raw = base64_payload(payload, source.limits) if isinstance(payload, str) else payload
    return unpack_bytes(raw, source, source.format.to_config())


def unpack_bytes(raw: bytes, source: StatementSource, format_config: dict[str, object]) -> Unpacked:
    """Decode and parse ``raw`` with a given format (a stored pull's, when re-reading)."""
    decoded = decode_statement_bytes(
        raw, encoding=source.encoding, limits=source.limits, member=source.member
    )
    statement = parse_format_spec(format_config).parse(decoded.text)
    return Unpacked(raw, decoded, statement)


def received_file(unpacked: Unpacked, source: StatementSource, now: datetime) -> ReceivedFile:
    statement = unpacked.statement
    currencies = sorted({line.currency for line in statement.lines})
    return ReceivedFile(
        sha256=unpacked.decoded.raw_sha256,
        name=unpacked.decoded.name,
        size_bytes=len(unpacked.raw),
        encoding=unpacked.decoded.encoding,
        container=unpacked.decoded.container,
        received_at=now,
        format=dict(source.format.to_config()),
        lines=len(statement.lines),
        declared_count=statement.declared_count,
        total_minor=statement.total_minor,
        declared_total_minor=statement.declared_total_minor,
        currency=currencies[0] if len(currencies) == 1 else None,
        account=statement.account,
    )
