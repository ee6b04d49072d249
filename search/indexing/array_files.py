"""One-dimensional ``.npy`` files read and written a slice at a time.

Story lookups on disk and the posting and position arrays beside each segment are large
sorted arrays of which a search or a story lookup wants a few items: ``ArrayFile`` reads
them with ``pread`` (through the page cache, which the kernel shares and reclaims, instead of
pages mapped into the process); ``ArrayWriter`` streams one out whose length is known first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np


class ArrayFile:
    """A one-dimensional ``.npy`` file (or a file of bare values) read a slice at a time
    with ``pread``."""

    def __init__(self, path: str | Path, headerless: Any = None) -> None:
        """``headerless``: the dtype of a file of bare values without a ``.npy`` header
        (a segment's position values), its length taken from its size."""
        self.path = Path(path)
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by close())
        try:
            self._fd = self._file.fileno()
            if headerless is not None:
                self.dtype, self._offset = np.dtype(headerless), 0
                self.length = os.fstat(self._fd).st_size // self.dtype.itemsize
                return
            version = np.lib.format.read_magic(self._file)
            if version == (1, 0):
                shape, fortran, self.dtype = np.lib.format.read_array_header_1_0(self._file)
            else:
                shape, fortran, self.dtype = np.lib.format.read_array_header_2_0(self._file)
            self._offset = self._file.tell()
            if len(shape) != 1 or fortran:
                raise ValueError(f"{path}: not a one-dimensional array")
            self.length = int(shape[0])
            if os.fstat(self._fd).st_size < self._offset + self.length * self.dtype.itemsize:
                raise ValueError(f"{path}: shorter than its header says")
        except BaseException:
            self._file.close()
            raise

    def read(self, start: int, stop: int) -> np.ndarray:
        """Items ``start`` to ``stop``."""
        size = self.dtype.itemsize
        data = os.pread(self._fd, (stop - start) * size, self._offset + start * size)
        return np.frombuffer(data, dtype=self.dtype)

    def read_into(self, out: np.ndarray) -> None:
        """The whole array into ``out`` (of its length and type), read front to back
        into this process's memory, not mapped and not copied again."""
        if out.size != self.length or out.dtype != self.dtype:
            raise ValueError(
                f"{self.path}: {self.length} of {self.dtype}, not {out.size} of {out.dtype}"
            )
        view = memoryview(out).cast("B")
        done = 0
        while done < view.nbytes:
            got = os.preadv(self._fd, [view[done:]], self._offset + done)
            if not got:
                raise ValueError(f"{self.path}: shorter than its header says")
            done += got

    def blocks(self, numbers: np.ndarray, size: int) -> np.ndarray:
        """Whole blocks ``numbers`` of ``size`` items each, as rows of a 2-D array."""
        width = size * self.dtype.itemsize
        start = self._offset
        data = b"".join(os.pread(self._fd, width, start + n * width) for n in numbers.tolist())
        return np.frombuffer(data, dtype=self.dtype).reshape(len(numbers), size)

    def every(self, step: int) -> np.ndarray:
        """Items 0, ``step``, ``2 * step``... (one small read each)."""
        size = self.dtype.itemsize
        offsets = range(self._offset, self._offset + self.length * size, step * size)
        return np.frombuffer(b"".join(os.pread(self._fd, size, at) for at in offsets), self.dtype)

    def close(self) -> None:
        self._file.close()


class ArrayWriter:
    """Writes a one-dimensional ``.npy`` file of ``length`` items a slice at a time, then
    fsyncs it (its length is in the header, written first)."""

    def __init__(self, path: Path, dtype: Any, length: int) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.length = length
        self._written = 0
        self._handle = open(path, "wb")  # noqa: SIM115 (closed in __exit__)
        header = {
            "descr": np.lib.format.dtype_to_descr(self.dtype),
            "fortran_order": False,
            "shape": (length,),
        }
        np.lib.format.write_array_header_1_0(self._handle, header)

    def write(self, values: np.ndarray) -> None:
        self._handle.write(np.ascontiguousarray(values, dtype=self.dtype).tobytes())
        self._written += len(values)

    def __enter__(self) -> ArrayWriter:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.close(complete=exc_type is None)

    def close(self, complete: bool = True) -> None:
        """Check the length and fsync (``complete``), or remove the partial file."""
        if self._handle.closed:
            return
        try:
            if complete:
                if self._written != self.length:
                    raise ValueError(f"{self.path}: wrote {self._written} of {self.length}")
                self._handle.flush()
                os.fsync(self._handle.fileno())
        finally:
            self._handle.close()
            if not complete:
                self.path.unlink(missing_ok=True)
