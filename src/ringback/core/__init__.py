"""The domain core: plain Python, no Django.

Playbook schema and validation, the enrollment state machine, scheduling (calling hours,
holidays, vacations, time-of-day rotation), agenda ranking and the one settable clock.
"""
