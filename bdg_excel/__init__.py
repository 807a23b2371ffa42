"""bdg_excel: the Excel reporting cycle of a provincial gender-equality plan."""

__version__ = "0.2.0"
