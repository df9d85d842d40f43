"""Agreement and merging are part of the Qt-free core: importing them never loads PySide6."""

from __future__ import annotations

import subprocess
import sys


def test_agreement_and_team_do_not_import_qt() -> None:
    code = (
        "import sys\n"
        "import desktop.agreement, desktop.agreement.review, desktop.agreement.report_html\n"
        "import desktop.team, desktop.team.merge\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
