#!/usr/bin/env python3
"""Run the leaflets command from a checkout.

``python cli.py build ...`` does what ``leaflets build ...`` does.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from leaflets.cli import main

if __name__ == "__main__":
    main(prog_name="leaflets")
