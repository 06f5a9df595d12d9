"""``python -m concur_async``: the ``concur-async`` command."""

from concur_async.cli import main

if __name__ == "__main__":
    main()
