import sys

from foreign_desk.inference.cli import main

sys.exit(main())
