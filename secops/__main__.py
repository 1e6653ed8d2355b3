"""``python -m secops``: the same as the ``secops`` command."""

from secops.cli.main import main

main()
