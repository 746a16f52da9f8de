"""Migrating a Statement of Applicability from ISO/IEC 27001:2013 to :2022 (``isms-xl migrate-soa``).

``soa`` maps the 2013 rows to the 93 controls of 2022 (pure), ``refs`` maps the control
references of the risk forms (pure), ``report`` lays the result out as rows and text (pure);
``write`` and ``run`` hold the Excel side.
"""
