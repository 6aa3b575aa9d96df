"""One date format per interface language (settings.FORMAT_MODULE_PATH): templates write ``|date`` (a day,
with its weekday), ``|date:"SHORT_DATE_FORMAT"`` (a day in a list) and ``|date:"DATETIME_FORMAT"``."""
