"""``python -m kg``: the command line."""

from kg.cli import main

if __name__ == "__main__":  # also keeps multiprocessing's fork server from running the CLI
    main()
