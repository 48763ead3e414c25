"""One decision at a time per order number, within this process.

Registering an order, taking a channel notification for it and resending its
notification all read the order, decide, and write. Serialising them per order number
keeps one process from racing itself; across processes the store's record versions
make the loser's write fail as a whole, and it reads and decides again.
"""

from __future__ import annotations

import asyncio
import weakref


class OrderLocks:
    def __init__(self) -> None:
        # Weak values: a lock disappears once nobody holds or waits for it.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, order_no: str) -> asyncio.Lock:
        lock = self._locks.get(order_no)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[order_no] = lock
        return lock
