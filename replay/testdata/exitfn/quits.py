# A module that ends the process, status 0, as it is imported.
import sys

sys.exit(0)
