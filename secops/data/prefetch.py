"""Reading ahead: the next batches of a table are read in a thread while this one is worked on."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa


def prefetched(batches: Iterator[pa.RecordBatch], depth: int = 3) -> Iterator[pa.RecordBatch]:
    """Read the next batches in a thread while this one is scanned or masked: CSV/Parquet parsing
    and the compute kernels release the GIL, so reading and the work overlap on two cores. An error
    while reading is raised in the consumer."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        chunks.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            chunks.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            chunks.put(error)

    worker = threading.Thread(target=produce, name="table-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
