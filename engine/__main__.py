"""`python -m engine …` is the same CLI as `tierwall …`."""

import sys

from engine.cli import main

sys.exit(main())
