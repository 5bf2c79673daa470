"""Render docs/screenshot.svg: the editor on the weak example, with the critique panel.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot.svg] [--size 100x30]

Runs the real app headless in a throw-away data home (rules engine only, no
network), opens the "typical first draft" example, browses to a finding and
saves an SVG screenshot that the README shows.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app import bootstrap  # noqa: E402
from assistant.services import drafts  # noqa: E402
from assistant.services.learn import example  # noqa: E402


async def shoot(out: Path, size: tuple[int, int]) -> None:
    from tui.app import create_app
    from tui.screens.editor import EditorScreen
    from tui.widgets.critique_panel import CritiquePanel, FindingItem

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        okr_set = example("weak-first-draft").okr_set
        core = bootstrap(home)
        drafts.save(core.store, "Customer Success", okr_set, "First draft", author="dana")
        app = create_app(core, target="Customer Success", config_home=home)
        async with app.run_test(size=size) as pilot:
            while not isinstance(app.screen, EditorScreen):
                await pilot.pause(0.02)
            editor = app.screen
            panel = editor.query_one(CritiquePanel)
            while not panel.findings:
                await pilot.pause(0.02)
            listing = panel.query_one("#findings")
            listing.focus()
            index = next(
                i
                for i, item in enumerate(listing.children)
                if isinstance(item, FindingItem) and item.finding.code == "KR-NO-BASELINE"
            )
            listing.index = index
            await pilot.pause(0.3)
            # The KR's heading (its text with the evidence highlighted) at the top.
            listing.scroll_to_widget(listing.children[index - 1], top=True, animate=False)
            await pilot.pause(0.3)
            out.parent.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.svg")
    parser.add_argument("--size", default="100x30", help="terminal size, COLUMNSxROWS")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.lower().split("x"))
    asyncio.run(shoot(args.out, (columns, rows)))
    print(args.out)


if __name__ == "__main__":
    main()
