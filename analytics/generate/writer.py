"""Writing a landing folder: one sub-folder per drop date, one CSV per file kind, and a manifest.

Files are written as header + a byte range of the rendered lines, with ``\\n`` line ends and UTF-8. The
manifest holds the parameters and counts only (no timestamps), so two runs with the same arguments
produce byte-identical folders.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from analytics.contract import FILE_SPECS
from analytics.generate.period import day_to_date

__all__ = ["LandingWriter", "MANIFEST_NAME"]

MANIFEST_NAME = "manifest.json"
_DROP_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LandingWriter:
    """Writes drop files under ``out`` and keeps count of files and rows per file kind."""

    def __init__(self, out: Path, overwrite: bool = False) -> None:
        self.out = Path(out)
        self._prepare(overwrite)
        self.files: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.drops: list[str] = []

    def _prepare(self, overwrite: bool) -> None:
        if self.out.exists() and any(self.out.iterdir()):
            if not overwrite:
                raise FileExistsError(f"{self.out} is not empty; choose an empty folder or overwrite it")
            for entry in self.out.iterdir():  # only what a previous run wrote
                if entry.is_dir() and _DROP_FOLDER.match(entry.name):
                    shutil.rmtree(entry)
                elif entry.name == MANIFEST_NAME:
                    entry.unlink()
        self.out.mkdir(parents=True, exist_ok=True)

    def write(self, day: int, name: str, body: bytes | memoryview, rows: int,
              columns: Sequence[str] | None = None) -> None:
        """Write ``<out>/<date>/<name>.csv``: the header, then ``body`` (complete lines).

        The header is the contract's columns for ``name``, or ``columns`` when given.
        """
        if rows == 0:
            return
        folder = self.out / day_to_date(day).isoformat()
        if not self.drops or self.drops[-1] != folder.name:
            folder.mkdir(exist_ok=True)
            self.drops.append(folder.name)
        header = (",".join(columns or FILE_SPECS[name].columns) + "\n").encode("utf-8")
        with open(folder / f"{name}.csv", "wb") as handle:
            handle.write(header)
            handle.write(body)
        self.files[name] += 1
        self.rows[name] += rows

    def drop_summary(self) -> dict:
        """What was written: drop folders (count, first, last), files and rows per file kind."""
        return {
            "drops": len(self.drops),
            "first_drop": self.drops[0] if self.drops else None,
            "last_drop": self.drops[-1] if self.drops else None,
            "files": dict(sorted(self.files.items())),
            "rows": dict(sorted(self.rows.items())),
        }

    def write_manifest(self, content: dict) -> None:
        text = json.dumps(content, indent=2, sort_keys=True) + "\n"
        (self.out / MANIFEST_NAME).write_text(text, encoding="utf-8")
