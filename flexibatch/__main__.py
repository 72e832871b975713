import sys

from flexibatch.cli import main

sys.exit(main())
