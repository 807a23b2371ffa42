"""The ``bdg`` command: a thin layer over the library (one or two calls per command)."""
from __future__ import annotations

from pathlib import Path

import click

from bdg_excel import __version__, click_vi
from bdg_excel.errors import BdgError

click_vi.install()

MASTER_PATH = Path("templates") / "agency_template.xlsx"
DEFAULT_STORE = Path("output") / "bdg.sqlite"


class UserError(click.ClickException):
    """A problem the user can fix: one Vietnamese line, exit status 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def _plan(path: str | None):
    from bdg_excel.plan_files import load_plan

    return load_plan(path if path is not None else _folder().plan)


def _folder():
    """The defaults of the reporting folder (``--dir``, or the one holding the current folder)."""
    from bdg_excel.folder import defaults

    obj = click.get_current_context().find_root().obj
    if "folder" not in obj:
        obj["folder"] = defaults(obj.get("dir"))
    return obj["folder"]


def _remember_dir(ctx, param, value):
    if value is not None:
        ctx.find_root().obj["dir"] = value


def _store(path: str | None) -> Path:
    """``--store``, else the reporting folder's store, else ``output/bdg.sqlite``."""
    return Path(path) if path else _folder().store


def _needed(value, name: str):
    """An option's value, or its default from the reporting folder; outside one, the option is required."""
    if value is None:
        ctx = click.get_current_context()
        param = next(p for p in ctx.command.params if p.name == name)
        # An argument optional inside a reporting folder is named as the required one it is outside: 'HỘP-THƯ'.
        hint = f"'{param.human_readable_name}'" if isinstance(param, click.Argument) else None
        raise click.MissingParameter(ctx=ctx, param=param, param_hint=hint)
    return value


def _xlsx_path(ctx, param, value: str) -> str:
    """Refuse an output name that Excel would not open as a workbook."""
    if value is not None and Path(value).suffix.lower() != ".xlsx":
        raise click.BadParameter(f"tệp tổng hợp phải có đuôi .xlsx, không phải '{value}'.")
    return value


def _unit_code(plan, code: str) -> str:
    """The plan's code for ``--unit CODE`` (any case); an unknown code is an error."""
    from bdg_excel.template import template_units

    return template_units(plan, [code])[0].code


def _echo(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


def _show(result, workbook: Path) -> None:
    """The consolidation's summary, then the workbook written."""
    from bdg_excel.consolidation import summary_lines

    _echo(summary_lines(result))
    click.echo(f"Đã ghi '{workbook}'.")


def _print_pdf(result, workbook: Path) -> None:
    """Print the appendix beside the workbook already written (which stays, whatever happens here)."""
    from bdg_excel.pdf import appendix_pdf

    path = appendix_pdf(result, workbook.with_suffix(".pdf"), soffice=_folder().soffice)
    click.echo(f"Đã ghi '{path}'.")


plan_option = click.option("--plan", "plan_path", type=click.Path(dir_okay=False),
                           help="Tệp kế hoạch (.xlsx hoặc .json) hoặc mã một kế hoạch có sẵn (xem 'bdg plans'); "
                                "mặc định là kế hoạch của thư mục báo cáo, ngoài thư mục báo cáo là kế hoạch Ninh "
                                "Thuận 2020.")
def _period_code(ctx, param, value):
    """A period as typed, in the plan's form: '2026-h1 ' is 2026-H1."""
    if isinstance(value, tuple):
        return tuple(v.strip().upper() for v in value)
    return value.strip().upper() if value else value


PERIOD_HELP = "năm (báo cáo năm, ví dụ 2026) hoặc năm-H1 (06 tháng, ví dụ 2026-H1)"
period_option = click.option("--period", required=True, metavar="KỲ", callback=_period_code,
                             help=f"Kỳ báo cáo: {PERIOD_HELP}.")
store_option = click.option("--store", "store_path", type=click.Path(dir_okay=False),
                            help=f"Kho dữ liệu SQLite lưu mọi tệp đã nhận; mặc định du-lieu/bdg.sqlite của thư mục "
                                 f"báo cáo, ngoài thư mục báo cáo là {DEFAULT_STORE}.")
send_option = click.option("--send", is_flag=True, help="Gửi thật qua máy chủ SMTP (mặc định chỉ soạn thư .eml).")
config_option = click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
                             help="Tệp cấu hình có mục [smtp] (host, port, security, user, from).")
dir_option = click.option("--dir", type=click.Path(file_okay=False), expose_value=False, callback=_remember_dir,
                          help="Thư mục báo cáo (có tệp bdg.toml); mặc định là thư mục đang đứng hoặc thư mục "
                               "chứa nó.")


class OurError(click.ClickException):
    """Our own bug, never the user's: logged with its traceback, one Vietnamese line, exit status 3."""

    exit_code = 3

    def show(self, file=None) -> None:
        click.echo(f"Lỗi của chương trình: {self.format_message()}", err=True)


class BdgGroup(click_vi.Group):
    """The ``bdg`` group: the one place where errors become what the user reads — an error the user
    can fix as one Vietnamese line (exit 2), an unexpected exception as a logged report of our own error."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BdgError as exc:
            details = "".join(f"\n  {p}" for p in getattr(exc, "problems", ()))
            raise UserError(f"{exc}{details}") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the output's reader went away (bdg plan show | more): click ends quietly
            raise
        except Exception:  # noqa: BLE001 - the edge of the program: whatever is left is our bug
            import traceback

            from bdg_excel import failures

            trace = traceback.format_exc()
            log = failures.log_path(None)
            failures.record(log, f"bdg {ctx.invoked_subcommand or ''}", trace)
            if _verbose():
                click.echo(trace, err=True)
            raise OurError(f"bdg gặp lỗi không lường trước (không phải lỗi của số liệu hay của người dùng); chi tiết đã "
                           f"ghi vào '{log}'. Hãy báo cho người quản trị kèm tệp đó.") from None


def _verbose() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and (ctx.find_root().obj or {}).get("verbose"))


def _show_failures(traces) -> None:
    """With ``--verbose``, the tracebacks of our own errors, on standard error."""
    if _verbose():
        for trace in traces:
            click.echo(trace.rstrip(), err=True)


@click.group(cls=BdgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bdg", message="%(prog)s %(version)s")
@click.option("--verbose", "-v", is_flag=True, help="In chi tiết kỹ thuật (traceback) khi chương trình tự gặp lỗi.")
@click.option("--dir", "folder", type=click.Path(file_okay=False),
              help="Thư mục báo cáo (có tệp bdg.toml); mặc định là thư mục đang đứng hoặc thư mục chứa nó.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, folder: str | None) -> None:
    """bdg – thu thập, kiểm tra và tổng hợp số liệu bình đẳng giới bằng Excel."""
    ctx.obj = {"verbose": verbose, "dir": folder}


@cli.group()
def plan() -> None:
    """Xem, kiểm tra và xuất kế hoạch (mục tiêu, chỉ tiêu, đơn vị, kỳ báo cáo)."""


@plan.command("show")
@plan_option
@dir_option
def plan_show(plan_path):
    """In tóm tắt kế hoạch."""
    from bdg_excel.plan_summary import summary_lines

    _echo(summary_lines(_plan(plan_path)))


@plan.command("check")
@plan_option
@dir_option
def plan_check(plan_path):
    """Kiểm tra kế hoạch và liệt kê mọi lỗi (trang, ô)."""
    from bdg_excel.plan_files import check_plan_file, default_plan
    from bdg_excel.plan_summary import placeholder_lines, shared_address_lines

    plan_path = plan_path or _folder().plan
    if plan_path is None:
        click.echo("Kế hoạch mặc định hợp lệ.")
        _echo(placeholder_lines(default_plan()) + shared_address_lines(default_plan()))
        return
    problems = check_plan_file(plan_path)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"Kế hoạch có {len(problems)} lỗi.")
        raise SystemExit(1)
    click.echo(f"Kế hoạch '{plan_path}' hợp lệ.")
    _echo(placeholder_lines(_plan(plan_path)) + shared_address_lines(_plan(plan_path)))


@cli.command("plans")
def plans() -> None:
    """Liệt kê các kế hoạch có sẵn (mã, tên, năm, số đơn vị báo cáo)."""
    from bdg_excel.plan_files import builtin_plans
    from bdg_excel.plan_summary import plan_line

    _echo([plan_line(p, default=index == 0) for index, p in enumerate(builtin_plans())])


@plan.command("export")
@click.argument("file", metavar="TỆP", type=click.Path(dir_okay=False))
@plan_option
@dir_option
def plan_export(file, plan_path):
    """Ghi kế hoạch ra tệp Excel để sửa (mỗi bảng một trang)."""
    from bdg_excel.plan_workbook import export_plan

    path = export_plan(_plan(plan_path), Path(file))
    click.echo(f"Đã ghi kế hoạch ra '{path}'.")


@cli.command()
@period_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Thư mục ghi các biểu; mặc định mau-bieu/KỲ của thư mục báo cáo.")
@plan_option
@click.option("--unit", "units", multiple=True, metavar="MÃ", help="Chỉ tạo biểu cho đơn vị này (có thể lặp lại).")
@dir_option
def templates(period, out_dir, plan_path, units):
    """Tạo biểu thu thập số liệu cho từng đơn vị báo cáo."""
    from bdg_excel.template import write_templates

    out_dir = _needed(out_dir or _folder().templates(period), "out_dir")
    paths = write_templates(_plan(plan_path), period, Path(out_dir), units, show_progress=True)
    for path in paths:
        click.echo(str(path))
    click.echo(f"Đã tạo {len(paths)} biểu cho kỳ {period} trong '{out_dir}'.")


@cli.command()
@click.option("--out", "out_path", default=str(MASTER_PATH), show_default=True, type=click.Path(dir_okay=False))
@plan_option
@dir_option
def master(out_path, plan_path):
    """Tạo lại biểu mẫu chung (tất cả các số liệu) của kế hoạch."""
    from bdg_excel.template import write_master

    path = write_master(_plan(plan_path), Path(out_path))
    click.echo(f"Đã ghi biểu mẫu chung '{path}'.")


@cli.command()
@click.argument("files", nargs=-1, metavar="TỆP...", required=True, type=click.Path(exists=True, dir_okay=False))
@plan_option
@click.option("--period", metavar="KỲ", callback=_period_code, help=f"Kỳ báo cáo mong đợi: {PERIOD_HELP}.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False),
              help="Đối chiếu thêm với số liệu các kỳ trước của đơn vị trong kho dữ liệu này.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho chương trình khác đọc).")
@dir_option
def check(files, plan_path, period, store_path, as_json):
    """Kiểm tra biểu đã điền mà không lưu gì (đơn vị có thể tự chạy trước khi gửi)."""
    from bdg_excel import ingest

    plan = _plan(plan_path)
    if period:
        plan.period(period)
    outcomes = []
    for outcome in ingest.check_files([Path(f) for f in files], plan, period, Path(store_path) if store_path else None):
        outcomes.append(outcome)
        if not as_json:  # file by file, as they are read
            _echo(ingest.describe(outcome, verbose=_verbose()))
    _echo([ingest.as_json(outcomes) if as_json else ingest.checked_total(outcomes)])
    if any(o.problems for o in outcomes):
        raise SystemExit(1)


@cli.command()
@click.argument("inbox", cls=click_vi.OptionalArgument, required=False, metavar="HỘP-THƯ", type=click.Path(exists=True, file_okay=False))
@click.option("--period", metavar="KỲ", callback=_period_code,
              help="Kỳ báo cáo đang tổng hợp; tệp của kỳ khác được lưu nhưng bị báo.")
@plan_option
@store_option
@dir_option
def ingest(inbox, period, plan_path, store_path):
    """Nhận mọi biểu trong thư mục HỘP-THƯ (mặc định hop-thu của thư mục báo cáo; kể cả thư mục con) vào kho dữ liệu."""
    from bdg_excel.ingest import ingest_folder

    inbox = _needed(inbox or _folder().inbox, "inbox")
    plan = _plan(plan_path)
    if period:
        plan.period(period)
    clean = ingest_folder(Path(inbox), plan, _store(store_path), period, echo=click.echo, show_progress=True,
                   verbose=_verbose())
    if not clean:
        raise SystemExit(1)


@cli.command()
@click.argument("inbox", cls=click_vi.OptionalArgument, required=False, metavar="HỘP-THƯ", type=click.Path(exists=True, file_okay=False))
@period_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False), callback=_xlsx_path,
              help="Tệp Excel tổng hợp (.xlsx); mặc định tong-hop/tong-hop-KỲ.xlsx của thư mục báo cáo.")
@plan_option
@store_option
@click.option("--pdf", is_flag=True, help="In thêm trang Phụ lục ra PDF (cần LibreOffice).")
@dir_option
def consolidate(inbox, period, out_path, plan_path, store_path, pdf):
    """Nhận các biểu trong HỘP-THƯ (mặc định hop-thu), tổng hợp kỳ báo cáo và ghi bảng tổng hợp (Phụ lục)."""
    from bdg_excel.consolidate import consolidate as run_consolidation

    inbox = _needed(inbox or _folder().inbox, "inbox")
    out_path = _needed(out_path or _folder().consolidated(period), "out_path")
    result, workbook = run_consolidation(Path(inbox), _plan(plan_path), period, Path(out_path),
                             _store(store_path), show_progress=True)
    _show(result, workbook)
    _show_failures(result.failures)
    if pdf:
        _print_pdf(result, workbook)
    if not result.clean:
        raise SystemExit(1)


@cli.command()
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Thư mục ghi kết quả (thư mục con demo/).")
@click.option("--pdf", is_flag=True, help="In thêm trang Phụ lục ra PDF (cần LibreOffice).")
@plan_option
def demo(out_dir, pdf, plan_path):
    """Chạy thử cả chu trình trên một kế hoạch có sẵn: kế hoạch 2020 với số liệu năm 2019 của kế hoạch,
    kế hoạch 2026–2030 với số liệu năm 2026 tự đặt ra."""
    from bdg_excel.demo import demo_notice, run_demo

    plan = _plan(plan_path)
    result, workbook = run_demo(plan, Path(out_dir))
    _echo(demo_notice(plan))
    _show(result, workbook)
    if pdf:
        _print_pdf(result, workbook)


@cli.command()
@period_option
@click.option("--templates", "templates_dir", type=click.Path(exists=True, file_okay=False),
              help="Thư mục chứa các biểu đã tạo bằng 'bdg templates'; mặc định mau-bieu/KỲ của thư mục báo cáo.")
@plan_option
@send_option
@click.option("--unit", "units", multiple=True, metavar="MÃ", help="Chỉ gửi cho đơn vị này (có thể lặp lại).")
@click.option("--resend", is_flag=True, help="Gửi lại cả cho đơn vị đã được gửi trong kỳ này.")
@click.option("--outbox", type=click.Path(file_okay=False),
              help="Thư mục ghi các thư .eml khi không gửi; mặc định tong-hop/thu-gui của thư mục báo cáo, ngoài "
                   "thư mục báo cáo là output/mail.")
@click.option("--message", "message_path", type=click.Path(exists=True, dir_okay=False),
              help="Mẫu thư của cán bộ (dòng đầu 'Tiêu đề: ...'); mặc định dùng mẫu có sẵn.")
@config_option
@store_option
@dir_option
def mail(period, templates_dir, plan_path, send, units, resend, outbox, message_path, config_path, store_path):
    """Soạn (hoặc gửi) thư kèm biểu cho từng đơn vị báo cáo."""
    from bdg_excel.mail import check_text, mail_units, summary_lines
    from bdg_excel.plan_summary import placeholder_lines
    from bdg_excel.store import Store

    templates_dir = _needed(templates_dir or _folder().templates(period), "templates_dir")
    outbox = Path(outbox) if outbox else _folder().outbox_root
    plan = _plan(plan_path)
    units = tuple(_unit_code(plan, code) for code in units)  # an unknown unit stops here, before any prompt
    text = check_text(message_path)
    settings = _smtp_settings(config_path) if send else None
    with Store(_store(store_path)) as store:
        deliveries = mail_units(plan, period, Path(templates_dir), unit_codes=units, text=text,
                                outbox=Path(outbox) / period, settings=settings, store=store, resend=resend)
    _echo(summary_lines(deliveries, None if send else Path(outbox) / period))
    _echo(placeholder_lines(plan))  # example addresses receive no mail
    if any(d.outcome in ("failed", "no-address", "no-template") for d in deliveries):
        raise SystemExit(1)


def _smtp_settings(config_path: str | None):
    """The SMTP settings, asking for the password when the server wants one and none was given."""
    import dataclasses

    from bdg_excel.mail import settings_from

    settings = settings_from(Path(config_path) if config_path else None, base=_folder().smtp)
    if settings.user and not settings.password:
        password = click.prompt(f"Mật khẩu thư của {settings.user}", hide_input=True, default="", show_default=False)
        settings = dataclasses.replace(settings, password=password)
    return settings


@cli.command()
@click.argument("sources", nargs=-1, metavar="NGUỒN...", required=True, type=click.Path(exists=True))
@click.option("--inbox", "inbox_dir", type=click.Path(file_okay=False),
              help="Thư mục lưu các biểu nhận được; mặc định hop-thu của thư mục báo cáo.")
@store_option
@dir_option
def collect(sources, inbox_dir, store_path):
    """Lưu các biểu đính kèm trong thư trả lời (.eml, .msg, mbox, Maildir) vào thư mục hộp thư (--inbox)."""
    from bdg_excel.collect import collect as collect_attachments, summary_lines

    from bdg_excel.store import Store

    inbox_dir = _needed(inbox_dir or _folder().inbox, "inbox_dir")
    with Store(_store(store_path)) as store:
        found = collect_attachments([Path(s) for s in sources], Path(inbox_dir), store)
    _echo(summary_lines(found))
    if not found.clean:
        raise SystemExit(1)


@cli.command()
@click.argument("out_dir", metavar="THƯ-MỤC-RA", type=click.Path(file_okay=False))
@click.option("--period", metavar="KỲ", callback=_period_code, help=f"Chỉ các tệp của kỳ này: {PERIOD_HELP}.")
@click.option("--unit", metavar="MÃ", help="Chỉ các tệp của đơn vị này (mã đơn vị).")
@plan_option
@store_option
@dir_option
def originals(out_dir, period, unit, plan_path, store_path):
    """Chép ra thư mục THƯ-MỤC-RA các tệp đơn vị đã gửi, đúng từng byte như khi nhận."""
    from bdg_excel.originals import export_originals, summary_lines
    from bdg_excel.store import Store

    if unit:
        plan = _plan(plan_path)
        unit = plan.unit(_unit_code(plan, unit))
    store_path = _store(store_path)
    if not store_path.is_file():
        raise UserError(f"Chưa có kho dữ liệu '{store_path}': hãy chạy 'bdg ingest' hoặc 'bdg consolidate' trước.")
    with Store(store_path) as store:
        copied = export_originals(store, Path(out_dir), period, unit)
    _echo(summary_lines(copied, Path(out_dir)))


@cli.command()
@click.argument("folder", metavar="THƯ-MỤC", type=click.Path(file_okay=False))
@click.option("--plan", "plan_path", metavar="TỆP", help="Kế hoạch ban đầu: tệp .xlsx/.json hoặc mã kế hoạch có sẵn; mặc định là kế "
                                          "hoạch Ninh Thuận 2020.")
def init(folder, plan_path):
    """Tạo thư mục báo cáo THƯ-MỤC: kehoach.xlsx, mau-bieu, hop-thu, tong-hop, du-lieu và tệp cài đặt bdg.toml."""
    from bdg_excel.new_folder import create_folder
    from bdg_excel.plan_files import load_plan

    created = create_folder(Path(folder), lambda: load_plan(plan_path))
    for path in created:
        click.echo(f"Đã tạo '{path}'.")
    click.echo(f"Thư mục báo cáo '{folder}' đã sẵn sàng: sửa địa chỉ email các đơn vị trong kehoach.xlsx, ghi máy "
               "chủ thư vào bdg.toml, rồi chạy các lệnh bdg từ trong thư mục đó.")


@cli.command()
@store_option
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Tệp xuất: .xlsx hoặc .csv (UTF-8, mở được bằng Excel).")
@click.option("--period", "periods", multiple=True, metavar="KỲ", callback=_period_code,
              help="Chỉ kỳ này (có thể lặp lại); mặc định mọi kỳ.")
@plan_option
@dir_option
def export(store_path, out_path, periods, plan_path):
    """Xuất mọi số liệu đã nhận (mỗi dòng một số liệu, qua các kỳ) ra .xlsx hoặc .csv."""
    from bdg_excel.export import export_figures

    plan = _plan(plan_path)
    for period in periods:
        plan.period(period)
    count = export_figures(_store(store_path), plan, periods, Path(out_path))
    click.echo(f"Đã ghi {count} số liệu vào '{out_path}'.")


def _day(ctx, param, value: str | None):
    """A day given as YYYY-MM-DD (or dd/mm/yyyy)."""
    from datetime import datetime

    if value is None:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            pass
    raise click.BadParameter(f"'{value}' không phải là ngày (YYYY-MM-DD).")


@cli.command()
@click.argument("inbox", cls=click_vi.OptionalArgument, required=False, metavar="HỘP-THƯ", type=click.Path(exists=True, file_okay=False))
@period_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Thư mục ghi các biểu đã đánh dấu và thư .eml; mặc định tong-hop/phan-hoi/KỲ của thư mục báo "
                   "cáo.")
@plan_option
@store_option
@send_option
@click.option("--unit", "units", multiple=True, metavar="MÃ", help="Chỉ trả lời đơn vị này (có thể lặp lại).")
@click.option("--deadline", callback=_day, metavar="NGÀY",
              help="Hạn gửi lại (YYYY-MM-DD); mặc định 3 ngày làm việc kể từ hôm nay (không tính ngày lễ, Tết "
                   "và các ngày nghỉ ghi trong bdg.toml), nhưng không sớm hơn hạn nộp của kỳ.")
@config_option
@dir_option
def feedback(inbox, period, out_dir, plan_path, store_path, send, units, deadline, config_path):
    """Nhận các biểu trong HỘP-THƯ rồi gửi lại cho từng đơn vị biểu có lỗi, đã đánh dấu các ô cần sửa."""
    from bdg_excel.feedback import feedback as answer_units
    from bdg_excel.notices import failed, summary_lines

    inbox = _needed(inbox or _folder().inbox, "inbox")
    out_dir = _needed(out_dir or _folder().output_dir("phan-hoi", period), "out_dir")
    plan = _plan(plan_path)
    units = tuple(_unit_code(plan, code) for code in units)
    settings = _smtp_settings(config_path) if send else None
    notices = answer_units(Path(inbox), plan, period, Path(out_dir), _store(store_path), unit_codes=units,
                           settings=settings, deadline=deadline, days_off=_folder().days_off,
                           show_progress=True)
    _echo(summary_lines(notices, None if send else Path(out_dir)))
    if failed(notices):
        raise SystemExit(1)


@cli.command()
@period_option
@plan_option
@store_option
@click.option("--inbox", "inbox_dir", type=click.Path(file_okay=False),
              help="Thư mục nhận biểu; mặc định hop-thu của thư mục báo cáo.")
@click.option("--as-of", "as_of", callback=_day, metavar="NGÀY",
              help="Xem tình hình vào ngày này (YYYY-MM-DD); mặc định hôm nay (giờ Việt Nam).")
@dir_option
def status(period, plan_path, store_path, inbox_dir, as_of):
    """Tình hình kỳ báo cáo trên một màn hình: ai đã nộp, ai trễ hạn, bao nhiêu lỗi, việc tiếp theo."""
    from bdg_excel import clock
    from bdg_excel.round_status import round_status, status_lines

    folder = _folder()
    state = round_status(_plan(plan_path), period, _store(store_path), as_of or clock.now().date(),
                         inbox=Path(inbox_dir) if inbox_dir else folder.inbox, templates=folder.templates(period),
                         consolidated=folder.consolidated(period))
    _echo(status_lines(state))


@cli.command()
@period_option
@click.option("--as-of", "as_of", callback=_day, metavar="NGÀY",
              help="Ngày nhắc (YYYY-MM-DD); mặc định hôm nay (giờ Việt Nam).")
@plan_option
@store_option
@send_option
@click.option("--resend", is_flag=True, help="Nhắc lại cả đơn vị đã được nhắc trong ngày.")
@click.option("--unit", "units", multiple=True, metavar="MÃ", help="Chỉ nhắc đơn vị này (có thể lặp lại).")
@click.option("--outbox", type=click.Path(file_okay=False),
              help="Thư mục ghi các thư .eml khi không gửi; mặc định tong-hop/thu-gui của thư mục báo cáo, ngoài "
                   "thư mục báo cáo là output/mail.")
@config_option
@dir_option
def remind(period, as_of, plan_path, store_path, send, resend, units, outbox, config_path):
    """Nhắc các đơn vị chưa gửi báo cáo dùng được (trước hạn: nhắc; quá hạn: báo chậm)."""
    from bdg_excel.notices import failed, summary_lines
    from bdg_excel.remind import remind as remind_units

    outbox = Path(outbox) if outbox else _folder().outbox_root
    plan = _plan(plan_path)
    units = tuple(_unit_code(plan, code) for code in units)
    settings = _smtp_settings(config_path) if send else None
    notices = remind_units(plan, period, _store(store_path), outbox / period, as_of=as_of, unit_codes=units,
                           settings=settings, resend=resend)
    _echo(summary_lines(notices, None if send else outbox / period))
    if failed(notices):
        raise SystemExit(1)
