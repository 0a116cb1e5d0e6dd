"""``amsync datasette-metadata``: print a Datasette metadata document for the mirror."""

from __future__ import annotations

import json
from pathlib import Path

import click

from amsync.cli.context import AppContext, pass_app


@click.command("datasette-metadata")
@click.option(
    "--database",
    "database_name",
    metavar="NAME",
    help="The database's name in Datasette [default: the --db file's name without .db].",
)
@pass_app
def datasette_metadata_command(app: AppContext, database_name: str | None) -> None:
    """Print a Datasette metadata document: titles, descriptions and canned queries.

    Every documented view and its columns get a title and a description; canned queries
    answer what vanished from a playlist, a playlist as it was on a date, songs Apple withdrew,
    favourites waiting to be pushed and what left the library since a date. Full-text search
    works on songs, albums, artists and playlists, and on their views (songs_v, …). Use: amsync
    datasette-metadata > metadata.json; datasette amsync.db --metadata metadata.json
    """
    from amsync.query.datasette import datasette_metadata, search_tables, view_columns

    with app.reading() as reader:
        columns = view_columns(reader)
        searchable = search_tables(reader)
        path = reader.sqlite_path
    name = database_name or (Path(path).stem if path is not None else "amsync")
    document = datasette_metadata(name, columns, searchable)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
