"""`search serve`: the command that starts this face, loaded by the command line only when it is run."""
from __future__ import annotations

import click

from search import cli_extras
from search.cli import UserError
from web.app import base_url_from_bind, check_base_url, create_app
import web.server


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--base-url", metavar="URL",
              help="The address visitors use (http[s]://host[:port]), for the absolute links of the Atom feed and "
                   "the OpenSearch description. Default: from --host and --port. The request's Host header is "
                   "never used.")
@click.option("--watch", is_flag=True, help="Also keep the index in step with the articles folder while serving.")
@click.pass_obj
def serve_command(config, host, port, threads, base_url, watch):
    """Serve the web app with waitress (a production WSGI server)."""
    try:
        base_url = check_base_url(base_url) if base_url else base_url_from_bind(host, port)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--base-url'") from None
    app = create_app({"SEARCH_INDEX": str(config.index), "SEARCH_ARTICLES": str(config.articles),
                      "SEARCH_BASE_URL": base_url})
    try:
        server = web.server.create_server(app, host, port, threads)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UserError(f"Cannot listen on {host}:{port}: {reason}. Choose another --port or --host "
                        "(or stop the program using it).") from None
    if watch:
        cli_extras.watch_in_background(config)
    click.echo(f"Serving the article search on {base_url}/ (listening on {host}:{port}; Ctrl+C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.close()
