"""`python -m api.cli …` runs the command line."""

from api.cli.app import main

main()
