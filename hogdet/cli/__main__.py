"""``python -m hogdet.cli ...`` runs the ``hogdet`` command."""

from . import main

if __name__ == "__main__":  # pragma: no cover
    main()
