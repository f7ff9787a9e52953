"""Tally: a Slack assistant for order-to-cash. `python app.py --help` lists the commands."""

from cli import cli

if __name__ == "__main__":
    cli()
