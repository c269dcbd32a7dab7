"""``python -m foreign_desk.training train CONFIG`` is the same as ``foreign-desk train CONFIG``."""

import sys

from foreign_desk.inference.cli import main

sys.exit(main())
