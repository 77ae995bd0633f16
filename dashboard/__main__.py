"""``python -m dashboard validate|convert|export`` (see dashboard/cli.py)."""

from dashboard.cli import main

raise SystemExit(main())
