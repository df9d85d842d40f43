"""`python -m desktop.cli`: the `etiquette` command."""

import sys

from desktop.cli import main

sys.exit(main())
