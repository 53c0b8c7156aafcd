"""The command line's own code: one module per ``qitxl`` command, imported only when it runs.

Each module provides ``add_arguments(parser)`` and ``run(args) -> int``; ``qitxl.cli`` names them
in its COMMANDS table. Nothing in the core imports this package.
"""
