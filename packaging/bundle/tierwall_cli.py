"""The frozen `tierwall` program (packaging/tierwall.spec): the same command as `python -m engine`."""

import sys

from engine.cli import main

sys.exit(main())
