"""Apple's JSON:API resources → amsync's domain objects.

Forgiving about what is optional (missing attributes, unknown fields, values of the wrong type
become ``None``), strict about what is needed: a resource that is not an object, or has no string
``id``, raises ``MalformedResponse`` naming the endpoint. Strings pass through unchanged — names
with control characters, emoji or 500 characters are the user's data, not ours to edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from amsync.api.fields import (
    JsonObject,
    as_object,
    first_related,
    get_bool,
    get_int,
    get_object,
    get_str,
    get_str_tuple,
)
from amsync.domain import (
    CatalogAlbum,
    CatalogArtist,
    CatalogPlaylist,
    CatalogSong,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    PlaylistFolder,
    Storefront,
    TrackKind,
)
from amsync.errors import MalformedResponse

T = TypeVar("T")
ResourceParser = Callable[[JsonObject, str], T]


def resource_object(value: object, endpoint: str) -> JsonObject:
    """``value`` as a resource object with a string id, or ``MalformedResponse``."""
    resource = as_object(value)
    if resource is None:
        raise MalformedResponse(
            f"Apple Music sent a resource that is not a JSON object from {endpoint}",
            hint="try again later; report it if it persists",
            endpoint=endpoint,
        )
    resource_id = resource.get("id")
    if not isinstance(resource_id, str) or not resource_id:
        raise MalformedResponse(
            f"Apple Music sent a resource without an id from {endpoint}",
            hint="try again later; report it if it persists",
            endpoint=endpoint,
        )
    return resource


def resource_id(resource: JsonObject) -> str:
    value = resource.get("id")
    assert isinstance(value, str)  # checked by resource_object
    return value


def resource_type(resource: JsonObject) -> str | None:
    return get_str(resource, "type")


def _attributes(resource: JsonObject) -> JsonObject | None:
    return get_object(resource, "attributes")


def _artwork_url(attributes: JsonObject | None) -> str | None:
    """The artwork url template (``…/{w}x{h}bb.jpg``), kept as Apple gave it."""
    return get_str(get_object(attributes, "artwork"), "url")


def _description(attributes: JsonObject | None) -> str | None:
    description = attributes.get("description") if attributes is not None else None
    if isinstance(description, str):
        return description
    return get_str(as_object(description), "standard")


def _name(attributes: JsonObject | None) -> str:
    return get_str(attributes, "name") or ""


# --- catalog ---------------------------------------------------------------------------------


def parse_catalog_song(value: object, endpoint: str) -> CatalogSong:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    return CatalogSong(
        catalog_id=resource_id(resource),
        name=_name(attributes),
        artist=get_str(attributes, "artistName"),
        album=get_str(attributes, "albumName"),
        isrc=get_str(attributes, "isrc"),
        duration_ms=get_int(attributes, "durationInMillis"),
        genres=get_str_tuple(attributes, "genreNames"),
        release_date=get_str(attributes, "releaseDate"),
        composer=get_str(attributes, "composerName"),
        url=get_str(attributes, "url"),
        artwork_url=_artwork_url(attributes),
        track_number=get_int(attributes, "trackNumber"),
        disc_number=get_int(attributes, "discNumber"),
        content_rating=get_str(attributes, "contentRating"),
        playable=get_object(attributes, "playParams") is not None,
    )


def parse_catalog_album(value: object, endpoint: str) -> CatalogAlbum:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    return CatalogAlbum(
        catalog_id=resource_id(resource),
        name=_name(attributes),
        artist=get_str(attributes, "artistName"),
        release_date=get_str(attributes, "releaseDate"),
        record_label=get_str(attributes, "recordLabel"),
        track_count=get_int(attributes, "trackCount"),
        upc=get_str(attributes, "upc"),
        genres=get_str_tuple(attributes, "genreNames"),
        url=get_str(attributes, "url"),
        artwork_url=_artwork_url(attributes),
        copyright=get_str(attributes, "copyright"),
    )


def parse_catalog_artist(value: object, endpoint: str) -> CatalogArtist:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    return CatalogArtist(
        catalog_id=resource_id(resource),
        name=_name(attributes),
        genres=get_str_tuple(attributes, "genreNames"),
        url=get_str(attributes, "url"),
        artwork_url=_artwork_url(attributes),
    )


def parse_catalog_playlist(value: object, endpoint: str) -> CatalogPlaylist:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    return CatalogPlaylist(
        catalog_id=resource_id(resource),
        name=_name(attributes),
        curator=get_str(attributes, "curatorName"),
        description=_description(attributes),
        url=get_str(attributes, "url"),
        artwork_url=_artwork_url(attributes),
    )


def _related_catalog(
    resource: JsonObject, endpoint: str, parse: ResourceParser[T]
) -> tuple[str | None, T | None]:
    """The catalog counterpart from ``relationships.catalog.data[0]``: (id, parsed or None).

    A related resource without attributes gives only the id; one without an id is ignored (the
    library item itself is still good).
    """
    related = first_related(resource, "catalog")
    if related is None:
        return None, None
    related_id = get_str(related, "id")
    if not related_id:
        return None, None
    if get_object(related, "attributes") is None:
        return related_id, None
    return related_id, parse(related, endpoint)


# --- library ---------------------------------------------------------------------------------


def parse_library_song(value: object, endpoint: str) -> LibrarySong:
    """A ``library-songs`` or ``library-music-videos`` resource."""
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    play_params = get_object(attributes, "playParams")
    related_id, catalog = _related_catalog(resource, endpoint, parse_catalog_song)
    catalog_id = get_str(play_params, "catalogId") or related_id
    kind = (
        TrackKind.MUSIC_VIDEO
        if resource_type(resource) == "library-music-videos"
        else TrackKind.SONG
    )
    return LibrarySong(
        library_id=resource_id(resource),
        name=_name(attributes),
        artist=get_str(attributes, "artistName"),
        album=get_str(attributes, "albumName"),
        catalog_id=catalog_id,
        kind=kind,
        duration_ms=get_int(attributes, "durationInMillis"),
        track_number=get_int(attributes, "trackNumber"),
        disc_number=get_int(attributes, "discNumber"),
        genres=get_str_tuple(attributes, "genreNames"),
        release_date=get_str(attributes, "releaseDate"),
        content_rating=get_str(attributes, "contentRating"),
        date_added=get_str(attributes, "dateAdded"),
        artwork_url=_artwork_url(attributes),
        playable=play_params is not None,
        in_favourites=get_bool(attributes, "inFavorites"),
        catalog=catalog,
    )


def parse_library_album(value: object, endpoint: str) -> LibraryAlbum:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    play_params = get_object(attributes, "playParams")
    related_id, catalog = _related_catalog(resource, endpoint, parse_catalog_album)
    return LibraryAlbum(
        library_id=resource_id(resource),
        name=_name(attributes),
        artist=get_str(attributes, "artistName"),
        catalog_id=get_str(play_params, "catalogId") or related_id,
        track_count=get_int(attributes, "trackCount"),
        release_date=get_str(attributes, "releaseDate"),
        genres=get_str_tuple(attributes, "genreNames"),
        date_added=get_str(attributes, "dateAdded"),
        artwork_url=_artwork_url(attributes),
        in_favourites=get_bool(attributes, "inFavorites"),
        catalog=catalog,
    )


def parse_library_artist(value: object, endpoint: str) -> LibraryArtist:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    related_id, catalog = _related_catalog(resource, endpoint, parse_catalog_artist)
    return LibraryArtist(
        library_id=resource_id(resource),
        name=_name(attributes),
        catalog_id=related_id,
        catalog=catalog,
    )


def parse_library_playlist(value: object, endpoint: str) -> LibraryPlaylist:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    play_params = get_object(attributes, "playParams")
    return LibraryPlaylist(
        library_id=resource_id(resource),
        name=_name(attributes),
        description=_description(attributes),
        catalog_id=get_str(play_params, "globalId"),
        can_edit=get_bool(attributes, "canEdit"),
        is_public=get_bool(attributes, "isPublic"),
        has_catalog=get_bool(attributes, "hasCatalog"),
        date_added=get_str(attributes, "dateAdded"),
        artwork_url=_artwork_url(attributes),
        in_favourites=get_bool(attributes, "inFavorites"),
    )


def parse_playlist_folder(
    value: object, endpoint: str, parent_id: str | None = None
) -> PlaylistFolder:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    return PlaylistFolder(
        library_id=resource_id(resource),
        name=_name(attributes),
        parent_id=parent_id,
        date_added=get_str(attributes, "dateAdded"),
    )


def parse_storefront(value: object, endpoint: str) -> Storefront:
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    return Storefront(
        id=resource_id(resource),
        name=get_str(attributes, "name"),
        default_language=get_str(attributes, "defaultLanguageTag"),
    )


def parse_rating_value(value: object, endpoint: str) -> tuple[str, int | None]:
    """A ``ratings`` resource → (id, value); a value of ``"1"``/``"-1"`` is read as an int."""
    resource = resource_object(value, endpoint)
    attributes = _attributes(resource)
    rating = get_int(attributes, "value")
    if rating is None:
        raw = get_str(attributes, "value")
        if raw in {"1", "-1"}:
            rating = int(raw)
    return resource_id(resource), rating


LIBRARY_TRACK_TYPES: Mapping[str, ResourceParser[LibrarySong]] = {
    "library-songs": parse_library_song,
    "library-music-videos": parse_library_song,
}
