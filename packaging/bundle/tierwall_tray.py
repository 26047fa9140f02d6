"""The frozen `tierwall-tray` program (packaging/tierwall.spec): the desktop app, as `python -m app.main`."""

import sys

from app.main import main

sys.exit(main())
