"""A request as a simulated outside party would send it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class SimulatedRequest:
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def with_body(self, body: bytes) -> SimulatedRequest:
        """The same headers over another body (signatures in headers no longer match)."""
        return replace(self, body=body)

    def with_headers(self, **changes: str) -> SimulatedRequest:
        """Headers changed by name; ``Wechatpay_Serial`` means ``Wechatpay-Serial``."""
        headers = dict(self.headers)
        for name, value in changes.items():
            headers[name.replace("_", "-")] = value
        return replace(self, headers=headers)

    def without_header(self, name: str) -> SimulatedRequest:
        headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        return replace(self, headers=headers)

    def truncated(self, keep_fraction: float = 0.6) -> SimulatedRequest:
        """The body cut short, as by a dropped connection (headers unchanged)."""
        keep_bytes = int(len(self.body) * keep_fraction)
        return replace(self, body=self.body[:keep_bytes])
