"""Learn the framework: the primer, and good/weak examples openable as a new draft."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Footer,
    Header,
    ListItem,
    ListView,
    Markdown,
    TabbedContent,
    TabPane,
)

from tui.safe import SafeStatic as Static
from tui.safe import literal
from tui.screen_text import okr_text, score_block
from tui.screens.base import OKRScreen

if TYPE_CHECKING:
    from assistant.services.learn import Example


class ExampleItem(ListItem):
    def __init__(self, example: Example) -> None:
        mark = ("✓ ", "bold green") if example.kind == "good" else ("✗ ", "bold red")
        super().__init__(Static(Text.assemble(mark, literal(example.title))))
        self.example = example


class LearnScreen(OKRScreen[None]):
    """Tabs: the primer (Markdown) and the examples with a coach's commentary."""

    BINDINGS = [
        Binding("o", "open_example", "Open as draft",
                tooltip="Open the highlighted example as a new draft"),
        Binding("p", "tab('primer')", "Primer", tooltip="The OKR primer tab"),
        Binding("x", "tab('examples')", "Examples", tooltip="The good and weak examples tab"),
        Binding("escape,q", "back", "Back"),
    ]  # fmt: skip

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tabs = self.query(TabbedContent)
        active = tabs.first().active if tabs else "examples"
        if action == "open_example" and active != "examples":
            return "o opens an example: switch to the Examples tab (x) first"
        if action == "tab" and parameters == (active,):
            return f"This is the {active} tab already"
        return None

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def compose(self) -> ComposeResult:
        core = self.core
        yield Header()
        with TabbedContent(id="learn-tabs", initial="examples"):
            with TabPane("Primer", id="primer"), VerticalScroll(id="primer-scroll"):
                yield Markdown(core.primer(), id="primer-text")  # shipped with the package
            with TabPane("Examples", id="examples"), Horizontal():
                yield ListView(*[ExampleItem(e) for e in core.examples()], id="example-list")
                with VerticalScroll(id="example-scroll"):
                    yield Static("", id="example-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = "learn"
        listing = self.query_one("#example-list", ListView)
        listing.index = 0
        listing.focus()
        self._show(self.selected())

    def selected(self) -> Example | None:
        child = self.query_one("#example-list", ListView).highlighted_child
        return child.example if isinstance(child, ExampleItem) else None

    @on(ListView.Highlighted, "#example-list")
    def _highlighted(self, event: ListView.Highlighted) -> None:
        if isinstance(event.item, ExampleItem):
            self._show(event.item.example)

    @on(ListView.Selected, "#example-list")
    def _selected(self) -> None:
        self.action_open_example()

    def _show(self, example: Example | None) -> None:
        if example is None:
            return
        kind = ("GOOD", "bold green") if example.kind == "good" else ("WEAK", "bold red")
        detail = Text("\n\n").join(
            [
                Text.assemble(kind, "  ", literal(example.title, "bold")),
                literal(example.commentary, "italic"),
                okr_text(example.okr_set),
                score_block(example.critique.scores),
                Text("o: open as a new draft", style="dim"),
            ]
        )
        self.query_one("#example-detail", Static).update(detail)

    def action_open_example(self) -> None:
        """Open the highlighted example as a draft (only from the Examples tab: on the
        primer tab the hidden list's selection is not what the user looks at)."""
        example = self.selected()
        if self.query_one(TabbedContent).active != "examples" or example is None:
            return
        self.okr_app.create_draft(
            example.okr_set.model_copy(deep=True),
            example.okr_set.name or example.slug,
            f"New draft from example {example.slug}",
        )

    def action_tab(self, tab: str) -> None:
        """Switch tabs (focus moves into the tab: a focused widget keeps its tab open)."""
        self.query_one(TabbedContent).active = tab
        self.query_one("#primer-scroll" if tab == "primer" else "#example-list").focus()

    def action_back(self) -> None:
        self.dismiss()
