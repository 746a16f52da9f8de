"""The Excel buttons: the jobs over an open ``xlwings.Book`` (layer.py), what they write (plan.py,
findings_sheet.py), how they talk to Excel (book_io.py), and the desktop console, its setup and
its doctor (console.py, setup.py, doctor.py). Entry points: ``isms_xl.macros`` (desktop VBA
``RunPython``) and ``isms_xl.lite`` (xlwings Lite).

xlwings is imported only where an Excel object is made or a template is read, never here.
"""
