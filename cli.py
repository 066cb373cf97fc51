#!/usr/bin/env python3
"""Run the leaflets command from a checkout: ``python cli.py build ...`` == ``leaflets build ...``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from leaflets.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
