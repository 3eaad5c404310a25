"""User-written scripts run in a sandbox that can't freeze, poison or leak from the server (issue 9).

Each resource payload here froze the server for tens of seconds before the sandbox had limits;
each escape payload is the known way out of a Jinja2 sandbox. All must be refused with a clear
reason, or render harmlessly, and nothing a render does may be seen by another render.
"""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.errors import PlaybookError, TemplateError
from ringback.core.lint import SAMPLE_VARIABLES, SPARSE_SAMPLE, lint_playbook, playbook_scripts_check
from ringback.core.playbook import builtin_playbooks, parse_playbook
from ringback.core.scripts import (
    MAX_ITERATIONS,
    MAX_OUTPUT_CHARS,
    MAX_SCRIPT_CHARS,
    ScriptEnvironment,
    compile_script,
    render_script,
)

#: A contact at Acme and the seller Sally Baker (a copy of the advice's sample).
VARIABLES = copy.deepcopy(dict(SAMPLE_VARIABLES))

#: Scripts that would take seconds to minutes, or gigabytes, without limits; and why each is refused.
RESOURCE_PAYLOADS = [
    ("{{ 9**12000000 }}", "number that is too large"),
    ("{{ 10.0 ** 400 }}", "number that is too large"),
    ("{{ 'a' * 100000000 }}", "longer than 20,000 characters"),
    ("{{ [1] * 100000000 }}", "longer than 20,000 characters"),
    ("{{ 100000000 * 'a' }}", "longer than 20,000 characters"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "too large to use"),
    ("{% for i in range(20000) %}{% for j in range(20000) %}{% endfor %}{% endfor %}", "range() may give"),
    (
        "{% for i in range(900) %}{% for j in range(900) %}{% endfor %}{% endfor %}",
        "loops go round more than",
    ),
    (
        "{% set s = contact.name * 1000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "loops go round more than",
    ),
    ("{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}", "longer than 20,000 characters"),
    ("{{ 'a'.ljust(100000000) }}", "'ljust' of text can't be used in a script"),
    ("{{ 'a'.split('a', 100000000) }}", "too large to use here"),
    ("{{ 'a' | center(100000000) }}", "too large to use here"),
    ("{{ 'abc' | replace('', 'x' * 19000) }}", "longer than 20,000 characters"),
    ("{{ ('x' * 19000) | join('y' * 19000) }}", "longer than 20,000 characters"),
    ("{{ '%100000000d' % 1 }}", "formatting with % is not allowed"),
    ("{{ '{:>100000000}'.format(1) }}", "'format' of text can't be used"),
    ("{{ lipsum(100000) }}", "too large to use here"),
    ("{{ lipsum(5) }}", "'lipsum' is undefined"),
    ("{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('ab') }}", "{% macro %} is not allowed"),
    ("{% set x %}{% for i in range(999) %}{{ 'x' * 19999 }}{% endfor %}{% endset %}", "{% set … endset %}"),
    ("{% for x in [1, [2]] recursive %}{{ loop(x) }}{% endfor %}", "recursive loops are not allowed"),
    ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "nested too deeply"),
    ("{% set s = 'ab' * 9000 %}{% set s = s ~ s %}{% set s = s ~ s %}", "longer than 20,000 characters"),
    ("{% set n = namespace(s='a') %}{% set n.s = n.s ~ n.s %}", "{% set name.attribute = %} is not allowed"),
]


@pytest.mark.parametrize(("script", "reason"), RESOURCE_PAYLOADS, ids=[p[0][:40] for p in RESOURCE_PAYLOADS])
def test_scripts_that_would_freeze_the_server_are_refused_with_the_reason(script, reason):
    with pytest.raises(TemplateError, match=re.escape(reason)):
        render_script(script, VARIABLES)


def test_a_long_script_is_refused_before_it_is_compiled():
    with pytest.raises(TemplateError, match=f"longer than {MAX_SCRIPT_CHARS:,} characters"):
        compile_script("x" * (MAX_SCRIPT_CHARS + 1))


def test_the_sellers_code_is_not_evaluated_while_compiling():
    """Jinja2 folds constant expressions into the compiled code; in a sandbox that is where a
    script like ``{{ 9**12000000 }}`` held the interpreter before anything checked it."""
    source = ScriptEnvironment().compile("{{ 2 ** 100 }}{{ 'ab' | upper }}{{ 'ab' ~ 'cd' }}", raw=True)
    assert "call_binop" in source
    assert str(2**100) not in source
    assert "'AB'" not in source


#: The known ways out of a Jinja2 sandbox: each is refused, or prints nothing revealing.
ESCAPE_PAYLOADS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ contact.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ range.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__dict__ }}",
    "{{ '{0.__class__}'.format(contact) }}",
    "{{ '{0.__class__.__init__.__globals__}'.format_map(contact) }}",
    "{{ '%s' % contact }}",
    "{{ contact.name.__len__ }}",
    "{{ contact['__class__'] }}",
    "{{ contact|attr('__class__') }}",
    "{{ (contact.items()|list)[0].__class__ }}",
    "{{ loop.__class__ }}",
    "{% for x in range(1) %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ dict(a=1).__class__ }}",
    "{{ config }}{{ request }}{{ settings }}",
    "{{ seller.update({'phone': '1-900-555-0199'}) }}",
    "{{ contact.pop('name') }}",
    "{{ contact.setdefault('x', 1) }}",
    "{{ contact.clear() }}",
    "{% set x = contact.__setitem__('name', 'Hacked') %}",
]


@pytest.mark.parametrize("script", ESCAPE_PAYLOADS)
def test_sandbox_escapes_are_refused_or_harmless(script):
    variables = copy.deepcopy(VARIABLES)
    try:
        out = render_script(script, variables)
    except TemplateError as exc:
        assert "can't be used in a script" in str(exc) or "not allowed" in str(exc) or "unsafe" in str(exc)
    else:
        for revealing in ("class", "module", "function", "built-in", "<", "os", "Hacked", "1-900"):
            assert revealing not in out
    assert variables == VARIABLES


def test_a_render_cannot_change_the_values_another_render_sees():
    """Finding 2: ``seller.update(...)`` through the advice check changed the module-level sample
    values, and every other account's playbook pages then showed the attacker's number."""
    before = copy.deepcopy(dict(SAMPLE_VARIABLES))
    text = (
        "name: poison\nsteps:\n  - id: call-1\n    channel: call\n    wait: 0 days\n    script: evil\n"
        "templates:\n  evil: \"{{ seller.update({'phone': '1-900-555-0199'}) }}{{ seller.phone }}\"\n"
    )
    spec = parse_playbook(text)
    warnings = lint_playbook(spec)
    assert any("could not be filled in" in w.message for w in warnings)
    assert dict(SAMPLE_VARIABLES) == before
    assert render_script("{{ seller.phone }}", SAMPLE_VARIABLES) == "312 555 0142"


def test_failures_name_the_line_and_the_problem():
    with pytest.raises(TemplateError) as caught:
        render_script("Hi {{ contact.first_name }},\nsee you {{ 1 / 0 }}", VARIABLES)
    assert (caught.value.line, caught.value.detail) == (2, "division by zero")
    assert str(caught.value) == "line 2: division by zero"
    with pytest.raises(TemplateError, match=r"line 3: unexpected '}'"):
        compile_script("a\nb\n{{ contact.name }} }}{{ x }")


def test_ordinary_scripts_still_work():
    script = (
        "Hi {{ contact.first_name|title }}{% if contact.company %} at {{ contact.company }}{% endif %}, "
        "it's {{ seller.first_name }}. {{ contact.nickname|default('Friend') }} "
        "{{ contact.name.split()[-1]|upper }} {{ ['a', 'b']|join('+') }} {{ contact.get('company') }} "
        "{% for x in range(3) %}{{ loop.index }}{% endfor %} {{ contact.missing.deeper }}|"
        "{{ 7 * 6 }} {{ 2 ** 10 }} {{ 'ab' ~ 'cd' }} {{ 'xy' * 2 }}"
    )
    assert render_script(script, VARIABLES) == (
        "Hi Mary at Acme, it's Sally. Friend SMITH a+b Acme 123 |42 1024 abcd xyxy"
    )


def test_every_built_in_script_passes_the_save_check():
    for spec in builtin_playbooks().values():
        playbook_scripts_check(spec)
        for text in spec.templates.values():
            assert render_script(text, SPARSE_SAMPLE)


@given(st.text(alphabet=st.sampled_from(list("{}%#()[]|~*+-/.,'\"=! \nabcxyz019_")), max_size=80))
@settings(max_examples=400, deadline=None)
def test_any_text_renders_or_fails_with_a_template_error(text):
    try:
        out = render_script(text, VARIABLES)
    except TemplateError:
        return
    assert len(out) <= MAX_OUTPUT_CHARS


FRAGMENTS = [
    "{{ contact.name }}",
    "{{ 9 ** 99 }}",
    "{% for i in range(40) %}",
    "{% endfor %}",
    "{% if contact.company %}",
    "{% endif %}",
    "{{ 'ab' * 5000 }}",
    "{% set s = contact.name ~ contact.name %}",
    "{{ s ~ s }}",
    "{{ seller.phone|replace('5', '55555') }}",
    "{{ 1 / 0 }}",
    "{{ contact.__class__ }}",
    "{{ range(900)|join(',') }}",
    "text ",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
@settings(max_examples=300, deadline=None)
def test_combined_payloads_stay_within_the_limits(parts):
    variables = copy.deepcopy(VARIABLES)
    try:
        out = render_script("".join(parts), variables)
    except TemplateError:
        pass
    else:
        assert len(out) <= MAX_OUTPUT_CHARS
    assert variables == VARIABLES


def test_the_loop_budget_is_shared_by_all_loops_of_a_render():
    one = "{% for i in range(" + str(MAX_ITERATIONS // 2) + ") %}{% endfor %}"
    render_script(one * 2, VARIABLES)
    with pytest.raises(TemplateError, match="loops go round more than"):
        render_script(one * 3, VARIABLES)


def test_a_playbook_whose_script_nests_too_deeply_is_refused_at_the_line_not_crashed():
    text = (
        "name: deep\nsteps:\n  - id: c\n    channel: call\n    wait: 0 days\n    script: s\n"
        "templates:\n  s: |\n    Hi\n    {{ " + "(" * 5000 + "1" + ")" * 5000 + " }}\n"
    )
    with pytest.raises(
        PlaybookError, match=r"^deep.yaml, line 9: template 's': the script is nested too deeply$"
    ):
        parse_playbook(text, source="deep.yaml")
