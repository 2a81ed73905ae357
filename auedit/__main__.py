import sys

from auedit.cli.main import main

sys.exit(main())
