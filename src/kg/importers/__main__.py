"""``python -m kg.importers``: regenerate every generated Turtle file of the repository."""

from __future__ import annotations

import sys

from kg.importers import regenerate_all
from kg.layout import project_root


def main() -> int:
    root = project_root()
    for path in regenerate_all(root):
        sys.stdout.write(f"wrote {path.relative_to(root)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
