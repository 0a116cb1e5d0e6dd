"""Playlist folders: root identity filter, children, nested folders, creation."""

from __future__ import annotations

import httpx

from amsync.emulator import Library

from .conftest import walk

ROOT = "p.playlistsroot"


def test_root_identity_filter(client: httpx.Client) -> None:
    body = client.get("/v1/me/library/playlist-folders?filter[identity]=playlistsroot").json()
    assert body == {
        "data": [],
        "meta": {
            "filters": {
                "identity": {
                    "playlistsroot": [
                        {
                            "id": ROOT,
                            "type": "library-playlist-folders",
                            "href": f"/v1/me/library/playlist-folders/{ROOT}",
                        }
                    ]
                }
            }
        },
    }


def _tree(client: httpx.Client, folder_id: str) -> dict[str, str | None]:
    """Walk children from a folder; returns {item id: parent folder id or None}."""
    parents: dict[str, str | None] = {}
    url = f"/v1/me/library/playlist-folders/{folder_id}/children"
    if client.get(url).status_code == 404:  # an empty folder: Apple's empty-page 404
        return parents
    items, _ = walk(client, f"/v1/me/library/playlist-folders/{folder_id}/children?limit=100")
    for item in items:
        parents[str(item["id"])] = None if folder_id == ROOT else folder_id
        if item["type"] == "library-playlist-folders":
            assert set(item["attributes"]) >= {"name", "dateAdded"}  # type: ignore[arg-type]
            parents.update(_tree(client, str(item["id"])))
    return parents


def test_children_rebuild_the_whole_tree(client: httpx.Client, library: Library) -> None:
    assert any(f.parent_id for f in library.folders.values())
    tree = _tree(client, ROOT)
    expected = {f.id: f.parent_id for f in library.folders.values()}
    expected.update({p.id: p.parent_id for p in library.playlists.values()})
    assert tree == expected


def test_folder_gets(client: httpx.Client, library: Library) -> None:
    folder = next(iter(library.folders.values()))
    (item,) = client.get(f"/v1/me/library/playlist-folders/{folder.id}").json()["data"]
    assert item["attributes"]["name"] == folder.name
    body = client.get(f"/v1/me/library/playlist-folders?ids={folder.id},p.nope").json()
    assert [d["id"] for d in body["data"]] == [folder.id]
    assert client.get("/v1/me/library/playlist-folders/p.nope/children").status_code == 404


def test_create_folder_and_nested_playlist(client: httpx.Client, library: Library) -> None:
    response = client.post("/v1/me/library/playlist-folders", json={"attributes": {"name": "New"}})
    assert response.status_code == 201
    folder_id = response.json()["data"][0]["id"]
    assert library.folders[folder_id].parent_id is None
    body = {
        "attributes": {"name": "Inside", "description": "d", "isPublic": False},
        "relationships": {
            "parent": {"data": [{"id": folder_id, "type": "library-playlist-folders"}]}
        },
    }
    created = client.post("/v1/me/library/playlists", json=body)
    assert created.status_code == 201
    children = client.get(f"/v1/me/library/playlist-folders/{folder_id}/children").json()["data"]
    assert [c["id"] for c in children] == [created.json()["data"][0]["id"]]
