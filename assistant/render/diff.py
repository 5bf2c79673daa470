"""The version diff as Rich ``Text``: the one renderer behind ``okr diff`` and the TUI's
history screen. User text (names, KRs, field values) goes in as plain text and is
never parsed as markup."""

from __future__ import annotations

from rich.text import Text

from assistant.domain.drafts import Diff, FieldChange, ItemChange, ScoreDelta

DIMENSIONS = ("clarity", "measurability", "ambition")


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def delta_words(delta: ScoreDelta | None) -> str:
    """'clarity +1, measurability +2' — only the dimensions that moved."""
    if delta is None:
        return ""
    parts = [f"{d} {signed(getattr(delta, d))}" for d in DIMENSIONS if getattr(delta, d)]
    if delta.overall:
        parts.append(f"overall {signed(delta.overall)}")
    return ", ".join(parts)


def _change(label: str, field: FieldChange, label_style: str = "yellow") -> Text:
    return Text.assemble((label, label_style), f" {field.old} → {field.new}")


def _item_lines(item: ItemChange, indent: str) -> list[Text]:
    delta = delta_words(item.delta)
    tail = Text.assemble("  ", (delta, "cyan")) if delta else Text()
    if item.kind == "unchanged":
        return [Text(f"{indent}  {item.new_id} {item.new_text or ''} (unchanged)", style="dim")]
    if item.kind == "added":
        return [Text.assemble(indent, (f"+ {item.new_id} {item.new_text or ''}", "green"))]
    if item.kind == "removed":
        return [Text.assemble(indent, (f"- {item.old_id} {item.old_text or ''}", "red"))]
    lines: list[Text] = []
    if item.old_text != item.new_text:
        lines.append(Text.assemble(indent, (f"- {item.old_id} {item.old_text or ''}", "red")))
        lines.append(
            Text.assemble(indent, (f"+ {item.new_id} {item.new_text or ''}", "green"), tail)
        )
    else:
        label = item.new_id if item.old_id == item.new_id else f"{item.old_id} → {item.new_id}"
        lines.append(Text.assemble(indent, (f"~ {label} {item.new_text or ''}", "yellow"), tail))
    lines.extend(Text.assemble(f"{indent}    ", _change(f"{f.field}:", f)) for f in item.fields)
    return lines


def diff_lines(diff: Diff) -> list[Text]:
    """The diff line by line: the versions and score changes, then the changed set fields,
    objectives and key results marked ``+ - ~`` (unchanged KRs of a changed objective are
    counted, not listed)."""
    d = diff
    dims = [
        f"{dim} {getattr(d.old_scores, dim)} → {getattr(d.new_scores, dim)}"
        + (f" ({signed(getattr(d.delta, dim))})" if getattr(d.delta, dim) else "")
        for dim in DIMENSIONS
    ]
    lines = [
        Text.assemble((d.draft, "bold"), f" v{d.old.number} → v{d.new.number}"),
        Text(
            f"overall {d.old_scores.overall} → {d.new_scores.overall} "
            f"({signed(d.delta.overall)}) · " + " · ".join(dims)
        ),
    ]
    lines.extend(_change(f"~ {change.field}:", change) for change in d.set_fields)
    if not d.changed:
        lines.append(Text("No changes."))
        return lines
    for obj in d.objectives:
        lines.extend(_item_lines(obj, ""))
        hidden = 0
        for kr in obj.key_results:
            if kr.kind == "unchanged":
                hidden += 1
                continue
            lines.extend(_item_lines(kr, "    "))
        if hidden and obj.kind != "unchanged":
            note = f"({hidden} key result{'s' if hidden > 1 else ''} unchanged)"
            lines.append(Text.assemble("    ", (note, "dim")))
    return lines


def diff_renderable(diff: Diff) -> Text:
    """The whole diff as one ``Text`` (a terminal prints it, a TUI ``Static`` shows it)."""
    return Text("\n").join(diff_lines(diff))
