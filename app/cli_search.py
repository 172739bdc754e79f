"""`flask search …`: rebuild the marketplace search index from the database."""

from __future__ import annotations

import click

from app.services import catalog

search_cli = click.Group("search", help="The marketplace search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the index from every published pack (the catalog stays searchable meanwhile)."""
    total = catalog.published_count()
    with click.progressbar(length=total, label="Indexing packs", show_pos=True) as bar:
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            bar.update(count - done)
            done = count

        indexed = catalog.reindex_all(progress=advance)
    click.echo(f"Indexed {indexed} published packs; cached searches cleared.")
