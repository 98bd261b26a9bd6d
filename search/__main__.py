"""`python -m search` runs the CLI."""
from search.cli import main

main()
