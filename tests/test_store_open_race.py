"""Two processes opening a fresh SQLite store at once: one migrates, the other waits and finds it done."""

from __future__ import annotations

import subprocess
import sys
import textwrap

OPEN_STORE = textwrap.dedent(
    """
    import asyncio, sys
    from content.store import Store

    async def main():
        store = await Store.open(sys.argv[1])
        await store.close()

    asyncio.run(main())
    """
)


def test_two_processes_open_a_fresh_sqlite_store_together(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    starters = [
        subprocess.Popen([sys.executable, "-c", OPEN_STORE, url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [(starter.wait(timeout=60), starter.stderr.read()) for starter in starters]
    assert [code for code, _ in results] == [0, 0, 0], [error for _, error in results]
