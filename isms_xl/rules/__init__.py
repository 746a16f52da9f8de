"""Consistency rules (checks.md), each a small registered function. See registry.py."""

from isms_xl.rules.registry import RULES, CheckContext, Rule, rule, run_rules

__all__ = ["RULES", "CheckContext", "Rule", "rule", "run_rules"]
