"""``python -m training train CONFIG`` is the same as ``foreign-desk train CONFIG``."""

import sys

from inference.cli import main

sys.exit(main())
