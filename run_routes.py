#!/usr/bin/env python3
"""Plan tomorrow's waste-collection routes for the bundled Kota Kupang scenario.

Run ``python run_routes.py --help`` for the options.
"""

import sys

from wasteroute.cli import main

if __name__ == "__main__":
    sys.exit(main())
