"""`python -m server.imports NAME INPUT...`: the same as `govsocial import NAME INPUT...`."""

import sys

from . import main

sys.exit(main(sys.argv[1:]))
