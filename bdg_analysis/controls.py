"""Control characters taken out of data text before it reaches a page or a workbook.

Data files and file names can carry control characters (``\\x00``, an escape sequence's
``\\x1b``, a stray ``\\x7f``): invisible on screen, they corrupt a terminal, make an HTML page
ill-formed and make openpyxl refuse the whole workbook. Tab and newline are kept (a note may
be written on several lines); every other C0 control, DEL and the C1 controls go.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` without control characters other than tab and newline."""
    return CONTROL_CHARACTERS.sub("", text)
