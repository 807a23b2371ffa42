"""bdg_excel: the Excel reporting cycle of a provincial gender-equality plan."""

__version__ = "0.1.0"
