"""The questionnaire: what tools cannot see, answered by the school (XLSX or YAML, in Chinese).

Export lists every item in scope grouped by class; import reads the answered file back. Every
problem in an answered file is reported with its place (YAML line, or sheet and cell).

Mitigations: an item linked to high-risk cases of the guide offers the mitigations the guide names
for them as choices (IDs such as ``6.4.1.2-mgmt-vpn``); a case the guide marks unmitigable says so.
The mitigation answer keeps only such IDs; free text typed there moves to the note and never lowers
a case (``secops.dengbao.highrisk``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from secops.dengbao.catalog import CLASSES, HighRiskCase, Requirement
from secops.dengbao.highrisk import split_mitigation
from secops.dengbao.scoring import ANSWER_VALUES
from secops.errors import ContentError, ContentErrors, SecopsError
from secops.fsutil import write_bytes_atomic, write_text_atomic
from secops.i18n import _

EVIDENCE_NAMES = {"scan": "网络扫描", "host": "主机核查", "device": "设备核查", "manual": "人工/文档"}
_ALIASES = {"N/A": "不适用", "NA": "不适用", "n/a": "不适用", "yes": "符合", "no": "不符合", "partial": "部分符合"}
HEADERS = ("编号", "控制点", "条款", "要求概述", "取证方式", "自动检查", "结论", "证据/说明", "缓解措施")
CHOICES_HEADER = "可选缓解措施（高风险判例）"  # a 10th, read-only column; older files lack it
_RESULT_COL, _NOTE_COL, _MITIGATION_COL = 7, 8, 9  # 1-based columns of the answer cells
NOTE_PREFIX = "缓解措施说明："  # free text from the mitigation column, kept in the note


@dataclass(frozen=True)
class Answer:
    item_id: str
    result: str
    note: str = ""
    mitigation: str = ""  # mitigation IDs the guide allows for the item's cases, "、"-separated


def _cases_by_id(cases: Iterable[HighRiskCase] | None) -> dict[str, HighRiskCase]:
    if cases is None:
        from secops.dengbao.catalog import load_catalog

        cases = load_catalog().cases
    return {case.id: case for case in cases}


def mitigation_lines(req: Requirement, cases: dict[str, HighRiskCase]) -> list[str]:
    """What the item's high-risk cases allow as mitigation, one line per case (for export)."""
    lines = []
    for case_id in req.highrisk:
        case = cases.get(case_id)
        if case is None:
            continue
        scope = f"（{case.condition}）" if case.condition else ""
        if not case.mitigable:
            lines.append(f"{case.id} {case.title}{scope}：指引规定不可缓解（填写缓解措施不会降低此风险）")
        elif not case.mitigations_collected:
            lines.append(f"{case.id} {case.title}{scope}：本库尚未收录指引认可的缓解措施（待核实），暂不降低此风险")
        else:
            choices = "；".join(f"{m.id} {m.summary}" for m in case.mitigations)
            lines.append(f"{case.id} {case.title}{scope}：可选 {choices}")
    return lines


def allowed_mitigations(req: Requirement, cases: dict[str, HighRiskCase]) -> list[str]:
    return [m.id for case_id in req.highrisk if (case := cases.get(case_id)) for m in case.mitigations]


def _checks_by_item(checks: Iterable[object]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for check in checks:
        for item in getattr(check, "items", ()):
            found.setdefault(item, []).append(getattr(check, "id", ""))
    return found


def _grouped(requirements: list[Requirement]) -> list[tuple[str, list[Requirement]]]:
    groups: list[tuple[str, list[Requirement]]] = []
    for code, name in CLASSES.items():
        members = [r for r in requirements if r.class_code == code]
        if members:
            groups.append((name, members))
    return groups


def export_questionnaire(
    path: Path,
    *,
    system: str,
    level: int,
    requirements: list[Requirement],
    answers: dict[str, Answer],
    checks: Iterable[object] = (),
    cases: Iterable[HighRiskCase] | None = None,
) -> int:
    """Write the questionnaire; returns the number of items. Existing answers are prefilled.

    ``cases`` are the guide's high-risk cases (the shipped ones when None)."""
    automated = _checks_by_item(checks)
    by_case = _cases_by_id(cases)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_bytes_atomic(path, _xlsx(system, level, requirements, answers, automated, by_case))
    elif suffix in (".yaml", ".yml"):
        write_text_atomic(path, _yaml(system, level, requirements, answers, automated, by_case))
    else:
        raise SecopsError(
            _("{path}: unknown questionnaire format {suffix}").format(path=path, suffix=suffix or "-"),
            hint=_("use .xlsx or .yaml"),
        )
    return len(requirements)


def questionnaire_yaml(
    *,
    system: str,
    level: int,
    requirements: list[Requirement],
    answers: dict[str, Answer],
    checks: Iterable[object] = (),
    cases: Iterable[HighRiskCase] | None = None,
) -> str:
    """The questionnaire as YAML text (what ``export_questionnaire`` writes to a .yaml file)."""
    return _yaml(system, level, requirements, answers, _checks_by_item(checks), _cases_by_id(cases))


def _q(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _yaml(
    system: str,
    level: int,
    requirements: list[Requirement],
    answers: dict[str, Answer],
    automated: dict[str, list[str]],
    cases: dict[str, HighRiskCase],
) -> str:
    out = [
        f"# 等保 2.0 自评问卷 · {system} · 第{level}级（{len(requirements)} 项）",
        "# 每项填写 result：符合 / 部分符合 / 不符合 / 不适用；note 写证据或说明；",
        "# 涉及高风险判例的项目列出了指引认可的缓解措施：已采取的在 mitigation 填写其编号（多个用、分隔）；",
        "# 只有这些编号能降低高风险，其他文字只作为说明保留。留空的项目视为未测评。",
        "# 填好后导入：secops dengbao questionnaire import --system 系统名 本文件",
        f"system: {_q(system)}",
        f"level: {level}",
        "answers:",
    ]
    for class_name, members in _grouped(requirements):
        out.append(f"  # ── {class_name} ──")
        for req in members:
            answer = answers.get(req.id)
            out.append(f"  {req.id}:")
            out.append(f"    # {req.control_point}（{req.clause_label}）：{req.summary}")
            for line in mitigation_lines(req, cases):
                out.append(f"    # 高风险判例 {line}")
            if automated.get(req.id):
                out.append(f"    # 自动检查：{', '.join(automated[req.id])}（以自动检查结果为准）")
            out.append(f"    result: {_q(answer.result)}" if answer else "    result:")
            out.append(f"    note: {_q(answer.note if answer else '')}")
            out.append(f"    mitigation: {_q(answer.mitigation if answer else '')}")
    return "\n".join(out) + "\n"


def _xlsx(
    system: str,
    level: int,
    requirements: list[Requirement],
    answers: dict[str, Answer],
    automated: dict[str, list[str]],
    cases: dict[str, HighRiskCase],
) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = "说明"
    for row in (
        ("等保 2.0 自评问卷",),
        ("系统", system),
        ("等级", f"第{level}级"),
        ("项目数", len(requirements)),
        ("填写方法", "在各安全类工作表的“结论”列选择 符合 / 部分符合 / 不符合 / 不适用，并在“证据/说明”列写明依据。"),
        (
            "",
            "涉及高风险判例的项目在“可选缓解措施”列列出指引认可的措施：已采取的请在“缓解措施”列填写其编号（多个用、分隔）。",
        ),
        ("", "只有这些编号能降低高风险；标明“不可缓解”的判例无法降低；其他文字只作为说明保留。留空的项目视为未测评。"),
        ("", "“自动检查”列有内容的项目以 secops 自动取证结果为准，与答卷矛盾时会标出冲突。"),
        ("导入", "secops dengbao questionnaire import --system 系统名 本文件.xlsx"),
    ):
        intro.append(list(row))
    intro["A1"].font = Font(bold=True, size=14)
    intro.column_dimensions["B"].width = 100
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    widths = (14, 16, 12, 60, 12, 24, 10, 40, 30, 60)
    for class_name, members in _grouped(requirements):
        sheet = book.create_sheet(class_name)
        sheet.append([*HEADERS, CHOICES_HEADER])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        validation = DataValidation(type="list", formula1='"' + ",".join(ANSWER_VALUES) + '"', allow_blank=True)
        sheet.add_data_validation(validation)
        for req in members:
            answer = answers.get(req.id)
            sheet.append(
                [
                    req.id,
                    req.control_point,
                    req.clause_label,
                    req.summary,
                    "、".join(EVIDENCE_NAMES[e] for e in req.evidence),
                    ", ".join(automated.get(req.id, [])),
                    answer.result if answer else "",
                    answer.note if answer else "",
                    answer.mitigation if answer else "",
                    "\n".join(mitigation_lines(req, cases)),
                ]
            )
            validation.add(sheet.cell(row=sheet.max_row, column=_RESULT_COL))
            choices = allowed_mitigations(req, cases)
            if choices:  # a drop-down of the allowed IDs (typing several, 、-separated, stays possible)
                offered = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                offered.showErrorMessage = False
                sheet.add_data_validation(offered)
                offered.add(sheet.cell(row=sheet.max_row, column=_MITIGATION_COL))
            for column in (_NOTE_COL, _MITIGATION_COL):  # free text, never a formula (e.g. "=见附件3")
                cell = sheet.cell(row=sheet.max_row, column=column)
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for row in sheet.iter_rows(min_row=2):
            row[3].alignment = Alignment(wrap_text=True, vertical="top")
            row[len(HEADERS)].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _normalize(value: object) -> str:
    if isinstance(value, bool):  # YAML reads an unquoted yes/no as a boolean
        return "符合" if value else "不符合"
    text = str(value).strip() if value is not None else ""
    return _ALIASES.get(text, text)


def import_questionnaire(
    path: Path, requirements: list[Requirement], cases: Iterable[HighRiskCase] | None = None
) -> list[Answer]:
    """Read an answered questionnaire; every bad row is reported with its place, none is kept.

    The mitigation answer keeps the mitigation IDs the item's cases allow; a known ID of another
    case is an error; any other text moves to the note (it never lowers a case)."""
    if not path.is_file():
        raise SecopsError(
            _("{path}: no such file").format(path=path),
            hint=_("export one with: secops dengbao questionnaire export"),
        )
    known = {r.id for r in requirements}
    by_id = {r.id: r for r in requirements}
    by_case = _cases_by_id(cases)
    every_mitigation = {m.id for case in by_case.values() for m in case.mitigations}
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _read_xlsx(path)
    elif suffix in (".yaml", ".yml"):
        rows = _read_yaml(path)
    else:
        raise SecopsError(
            _("{path}: unknown questionnaire format {suffix}").format(path=path, suffix=suffix or "-"),
            hint=_("use .xlsx or .yaml"),
        )
    errors: list[ContentError] = []
    answers: dict[str, Answer] = {}
    for where, id_where, item_id, result, note, mitigation in rows:
        if item_id not in known:
            where = id_where
            prefix = next(iter(known))[:3] if known else "L?-"
            errors.append(
                ContentError(
                    path,
                    None,
                    _("{where}: unknown item ID {item!r} (this system's items start with {prefix})").format(
                        where=where, item=item_id, prefix=prefix
                    ),
                )
            )
            continue
        if result.startswith("?"):  # a shape problem found while reading
            errors.append(ContentError(path, None, f"{where}: {item_id}: {result[1:]}"))
            continue
        if not result:
            continue  # not answered yet
        if result not in ANSWER_VALUES:
            errors.append(
                ContentError(
                    path,
                    None,
                    _("{where}: {item}: invalid result {result!r}; use {values}").format(
                        where=where, item=item_id, result=result, values=" / ".join(ANSWER_VALUES)
                    ),
                )
            )
            continue
        if item_id in answers:
            errors.append(
                ContentError(path, None, _("{where}: {item} is answered twice").format(where=where, item=item_id))
            )
            continue
        ids, free_text = split_mitigation(mitigation)
        allowed = allowed_mitigations(by_id[item_id], by_case)
        wrong = [i for i in ids if i not in allowed]
        if wrong:
            offered = "、".join(allowed) if allowed else _("none (its high-risk cases cannot be mitigated)")
            problem = (
                _("{where}: {item}: mitigation {wrong} is not one the guide allows here; allowed: {allowed}")
                if wrong[0] in every_mitigation
                else _("{where}: {item}: mitigation {wrong} is unknown; allowed: {allowed}")
            )
            errors.append(
                ContentError(
                    path,
                    None,
                    problem.format(where=where, item=item_id, wrong="、".join(wrong), allowed=offered),
                )
            )
            continue
        if free_text:
            note = f"{note}\n{NOTE_PREFIX}{free_text}" if note else f"{NOTE_PREFIX}{free_text}"
        answers[item_id] = Answer(item_id, result, note, "、".join(ids))
    if errors:
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    return list(answers.values())


Row = tuple[str, str, str, str, str, str]  # where (answer), where (ID), item id, result, note, mitigation


def _read_yaml(path: Path) -> list[Row]:
    from secops.content.yamlload import LineDict, load_yaml

    data = load_yaml(path)
    if not isinstance(data, LineDict) or not isinstance(data.get("answers"), LineDict):
        raise ContentError(
            path, 1, _("expected a mapping with answers: (export one with secops dengbao questionnaire export)")
        )
    block: LineDict = data["answers"]
    rows: list[Row] = []
    for item_id, entry in block.items():
        line = block.key_lines.get(item_id)
        where = f"line {line}"
        if entry is None:
            rows.append((where, where, str(item_id), "", "", ""))
            continue
        if not isinstance(entry, LineDict):
            if isinstance(entry, (str, bool)):
                rows.append((where, where, str(item_id), _normalize(entry), "", ""))
            else:
                rows.append((where, where, str(item_id), "?" + _("not a mapping"), "", ""))
            continue
        unknown = set(entry) - {"result", "note", "mitigation"}
        if unknown:
            rows.append(
                (
                    where,
                    where,
                    str(item_id),
                    "?" + _("unknown key {keys}").format(keys=", ".join(sorted(map(str, unknown)))),
                    "",
                    "",
                )
            )
            continue
        result_line = entry.key_lines.get("result", line)
        rows.append(
            (
                f"line {result_line}",
                where,
                str(item_id),
                _normalize(entry.get("result")),
                str(entry.get("note") or ""),
                str(entry.get("mitigation") or ""),
            )
        )
    return rows


def _read_xlsx(path: Path) -> list[Row]:
    from openpyxl import load_workbook

    from secops.zipbounds import check_xlsx

    check_xlsx(path)  # a questionnaire is small: a sheet expanding past the limit is a bomb
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise SecopsError(
            _("{path}: not a readable XLSX file ({kind})").format(path=path, kind=type(error).__name__)
        ) from None
    rows: list[Row] = []
    for sheet in book.worksheets:
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if not header or tuple(header[: len(HEADERS)]) != HEADERS:  # the choices column may follow
            continue  # the 说明 sheet, or a sheet the user added
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = list(values) + [None] * len(HEADERS)
            item_id = str(cells[0] or "").strip()
            if not item_id:
                continue
            rows.append(
                (
                    f"{sheet.title}!G{number}",
                    f"{sheet.title}!A{number}",
                    item_id,
                    _normalize(cells[_RESULT_COL - 1]),
                    str(cells[_NOTE_COL - 1] or "").strip(),
                    str(cells[_MITIGATION_COL - 1] or "").strip(),
                )
            )
    book.close()
    return rows
