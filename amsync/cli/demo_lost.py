"""The demo's lost-song step (issue 24): Apple withdraws a song while the demo runs; the next
sync finds it, says why, finds a replacement and puts it back, reading every write back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amsync.api import ClientConfig
    from amsync.db.store import Store
    from amsync.emulator import Emulator
    from amsync.lost.restore import RestoreReport


async def lost_song_demo(config: ClientConfig, store: Store, emulator: Emulator) -> list[str]:
    """Withdraw one library song (greyed out, taken out of its playlists, re-released with the
    same ISRC), sync, settle, restore; the lines that tell the story."""
    from amsync.api import AppleMusicClient
    from amsync.emulator.lost_music import carry_out, prepare_withdrawals
    from amsync.lost.restore import apply_restore, load_plan
    from amsync.lost.settle import open_song_ids, settle_losses
    from amsync.sync.runner import run_sync

    with emulator.lock:
        plans = [p for p in prepare_withdrawals(emulator.library, 8, seed=3) if p.replacements]
        carry_out(emulator.library, plans[:1], leave_playlists=1.0)
    if not plans:
        return []
    account_id = store.account_id("default")
    async with AppleMusicClient(config) as client:
        report = await run_sync(client, store, "default")
        await settle_losses(client, store, account_id)
        named = set(open_song_ids(store, account_id, plans[0].library_ids).values())
        plan = load_plan(store, account_id, named)
        restored = await apply_restore(plan, client, client, store, account_id)
    return _story(store, account_id, report.run_id, restored)


def _story(store: Store, account_id: int, run_id: int | None, restored: RestoreReport) -> list[str]:
    from amsync.query.snapshot import reading

    with reading(store) as reader:
        rows = reader.rows(
            "SELECT s.name, s.artist, e.cause, e.evidence, e.playlist_name, e.position, "
            "s.replacement, s.replacement_method, s.replacement_score, e.restored_at "
            "FROM lost_entries e JOIN lost_songs s ON s.id = e.song_id "
            "WHERE e.account_id = :account AND e.run_id = :run ORDER BY e.id",
            {"account": account_id, "run": run_id},
        )
        earlier = reader.rows(
            "SELECT count(DISTINCT song_id) FROM lost_entries WHERE account_id = :account "
            "AND (run_id IS NULL OR run_id <> :run)",
            {"account": account_id, "run": run_id or 0},
        )[0][0]
    if not rows:
        return []
    name, artist, cause, evidence = rows[0][:4]
    import json

    replacement = rows[0][6]
    about = json.loads(replacement) if isinstance(replacement, str) else replacement or {}
    playlists = [f"{r[4]!r} (position {r[5]})" for r in rows if r[4] is not None]
    lines = [
        "",
        f"lost songs: Apple withdrew {name!r} by {artist} while the demo ran; the next sync "
        "found it:",
        f"  cause        {cause}: {evidence}",
        "  where        still in the library, greyed out"
        + (
            f"; gone from {len(playlists)} playlist(s): {', '.join(playlists[:3])}"
            if playlists
            else ""
        ),
    ]
    if about:
        method = "same ISRC" if rows[0][7] == "isrc" else "same title, artist and duration"
        lines.append(
            f"  replacement  {about.get('name')!r} on {about.get('album')!r} (catalog song "
            f"{about.get('catalog_id')}, {method}, score {rows[0][8]})"
        )
    if restored.confirmed:
        appended = len(restored.appended)
        skipped = len(restored.plan.skipped) + len(restored.skipped_while_writing)
        reasons = ", ".join(sorted({s.reason for s in restored.plan.skipped}))
        lines.append(
            f"  restored     added to the library and appended to {appended} playlist(s) (at "
            "the end: Apple's API can only append); every write read back from Apple"
            + (f"; {skipped} skipped: {reasons}" if skipped else "")
        )
    if earlier:
        lines.append(
            f"  ({earlier} more song(s) were already withdrawn when the demo library was made; "
            "`amsync lost` lists every loss)"
        )
    return lines
