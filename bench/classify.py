"""Time of classifying pathological query texts, per KB, at growing sizes.

Run: .venv/bin/python bench/classify.py [--sizes 10 50 100] [--repeat 3] [--max-seconds 60]

Each input is a hostile body of about N KB wrapped in ``SELECT * WHERE { … }`` and handed to
``kg.sparql.operation.classify`` (the tokenizer plus the keyword scan that runs on every query).
Linear tokenizing shows as a flat ms/KB column; a quadratic one as ms/KB growing with the size.
Each figure is the best of --repeat runs. An input whose previous size already took longer than
--max-seconds is skipped at larger sizes (useful to measure an old, quadratic tokenizer).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from kg.sparql.operation import classify

# Each maker returns a body of at least `n` characters built from one repeated unit.
INPUTS: dict[str, Callable[[int], str]] = {
    "a. (name run with dots)": lambda n: "a." * (n // 2),
    "a: (prefixed names)": lambda n: "a:" * (n // 2),
    "?a (variables)": lambda n: "?a" * (n // 2),
    ". (dots)": lambda n: "." * n,
    '" unterminated': lambda n: '"' + "a" * (n - 1),
    '"\\ escaped quotes': lambda n: '"\\' * (n // 2),
    "''' unterminated": lambda n: "'''" + "a" * (n - 3),
    "\\''' escaped long quotes": lambda n: "\\'''\n" * (n // 5),
    "< unterminated": lambda n: "<" + "a" * (n - 1),
    "<a (many IRI starts)": lambda n: "<a" * (n // 2),
}


def run(text: str, repeat: int) -> float:
    """The best of ``repeat`` timings, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        classify(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    header = "".join(f"{f'{kb} KB: s':>12}{'ms/KB':>8}" for kb in args.sizes)
    print(f"{'input':28}{header}")
    for name, make in INPUTS.items():
        cells = []
        slow = False
        for kb in args.sizes:
            if slow:
                cells.append(f"{'skipped':>12}{'':>8}")
                continue
            seconds = run("SELECT * WHERE { " + make(kb * 1000) + " }", args.repeat)
            slow = seconds > args.max_seconds
            cells.append(f"{seconds:12.3f}{seconds * 1000 / kb:8.2f}")
        print(f"{name:28}{''.join(cells)}", flush=True)


if __name__ == "__main__":
    main()
