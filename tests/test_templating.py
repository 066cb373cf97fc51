"""The template sandbox (leaflets/templating/): ordinary templates work as in Jinja's
own sandbox; the limits sit where SECURITY.md says. Attacks are in test_hostile.py."""

from __future__ import annotations

import gettext

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from leaflets.templating import (
    MAX_CALL_DEPTH,
    MAX_LOOP_TURNS,
    MAX_RANGE,
    LeafletSandbox,
    TemplateLimitError,
)

LIMIT = 20_000  # a small max_chars keeps the tests quick (more than MAX_RANGE)


def sandbox() -> LeafletSandbox:
    env = LeafletSandbox(
        max_chars=LIMIT, extensions=["jinja2.ext.i18n"], autoescape=True, undefined=StrictUndefined
    )
    env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    return env


def jinja_sandbox() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        extensions=["jinja2.ext.i18n"], autoescape=True, undefined=StrictUndefined
    )
    env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    return env


ORDINARY = [
    "{% trans %}Hello{% endtrans %} {{ _('Hi') }} {{ gettext('%(n)s', n='<b>') }}",
    "{{ ngettext('%(num)d day', '%(num)d days', 3) }} {{ pgettext('ctx', 'x') }}",
    "{% trans count=2 %}{{ count }} item{% pluralize %}{{ count }} items{% endtrans %}",
    "{{ 'a&b'|upper }} {{ 'ab'|title }} {{ ' x '|trim }} {{ '<i>x</i>'|striptags }}",
    "{{ [3, 1, 2]|sort|join(', ') }} {{ [1, 2, 3]|sum }} {{ [1, 2, 3]|sum(start=10) }}",
    "{{ [1, 2, 3]|slice(2)|list }} {{ [1, 2, 3]|batch(2, 0)|list }} {{ [1, 2]|reverse|list }}",
    "{{ 'abc'|replace('b', 'x') }} {{ 'abcb'|replace('b', 'x', 1) }} {{ 'x'|center(5) }}|",
    "{{ 'a\nb'|indent(2, true) }} {{ 'a b c d'|wordwrap(3) }} {{ 'abcdef'|truncate(5, leeway=0) }}",
    "{{ '%s-%03d'|format('a', 7) }} {{ '%(a)s'|format(a='<x>') }} {{ {'k': [1]}|tojson }}",
    "{{ [{'a': 2}, {'a': 1}]|map(attribute='a')|sort|list }} {{ [1, 2, 3]|select('odd')|list }}",
    "{{ 'x' * 3 }} {{ [0] * 2 }} {{ 2 ** 10 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ '%d%%' % 5 }}",
    "{{ [1] + [2] }} {{ 'a' + 'b' }} {{ 'a' ~ 1 ~ none }} {{ (1, 2) }} {{ {'a': 1}['a'] }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}"
    "{% for k, v in {'x': 1}.items() %}{{ k }}={{ v }}{% endfor %}",
    "{% for x in range(3) %}{{ loop.index }}/{{ loop.length }}{{ loop.cycle('a', 'b') }}"
    "{% if loop.last %}.{% endif %}{% else %}none{% endfor %}"
    "{% for x in [] %}{% else %}E{% endfor %}",
    "{% for x in [[1, [2]], 3] recursive %}{% if x is number %}{{ x }}{% else %}"
    "[{{ loop(x) }}]{% endif %}{% endfor %}",
    "{% macro m(x, y='d') %}{{ x }}{{ y }}{% endmacro %}{{ m(1) }}{{ m(2, y='e') }}"
    "{% macro w() %}[{{ caller('a') }}]{% endmacro %}{% call(v) w() %}c{{ v }}{% endcall %}",
    "{% set ns = namespace(n=0) %}{% for _ in range(4) %}{% set ns.n = ns.n + 1 %}{% endfor %}"
    "{{ ns.n }} {% filter upper %}f{% endfilter %} {% set s %}block{% endset %}{{ s }}",
    "{{ 'x' if true else 'y' }} {{ 1 in [1] }} {{ 'a' is string }} {{ x|default('dflt') }}",
    "{{ dict(a=1)|dictsort }} {{ cycler('a', 'b').next() }} {{ range(10)|length }}",
]


@pytest.mark.parametrize("source", ORDINARY)
def test_ordinary_templates_render_as_in_jinjas_sandbox(source: str) -> None:
    assert sandbox().from_string(source).render() == jinja_sandbox().from_string(source).render()


def render(source: str) -> str:
    return sandbox().from_string(source).render()


HALF = LIMIT // 2


@pytest.mark.parametrize(
    ("allowed", "refused"),
    [
        (f"{{{{ range({MAX_RANGE})|length }}}}", f"{{{{ range({MAX_RANGE + 1}) }}}}"),
        (f"{{{{ ('x' * {LIMIT})|length }}}}", f"{{{{ 'x' * {LIMIT + 1} }}}}"),
        (f"{{{{ ([0] * {HALF - 1})|length }}}}", f"{{{{ [[0, 0]] * {LIMIT // 4} }}}}"),
        (f"{{{{ 'x' * {HALF} ~ 'y' * {HALF} }}}}", f"{{{{ 'x' * {HALF} ~ 'y' * {HALF + 1} }}}}"),
        (f"{{{{ 'x' * {HALF} + 'y' * {HALF} }}}}", f"{{{{ 'x' * {HALF} + 'y' * {HALF + 1} }}}}"),
        (f"{{{{ '%{LIMIT - 10}s' % 'x' }}}}", f"{{{{ '%{LIMIT}s' % 'x' }}}}"),
        (f"{{{{ 'x'|center({LIMIT}) }}}}", f"{{{{ 'x'|center({LIMIT + 1}) }}}}"),
        ("{{ range(10)|join('x' * 100) }}", "{{ range(200)|join('x' * 100) }}"),
        ("{{ 2 ** 2000 > 0 }}", "{{ 2 ** 5000 }}"),
        ("{{ (2 ** 2000) * (2 ** 2000) > 0 }}", "{{ (2 ** 2000) * (2 ** 2000) * (2 ** 2000) }}"),
        (
            f"{{% set s = 'x' * {LIMIT} %}}{{% for _ in range(4) %}}{{{{ s }}}}{{% endfor %}}",
            f"{{% set s = 'x' * {LIMIT} %}}{{% for _ in range(5) %}}{{{{ s }}}}{{% endfor %}}",
        ),
        (
            f"{{% for _ in range({MAX_LOOP_TURNS // MAX_RANGE}) %}}"
            f"{{% for _ in range({MAX_RANGE - 1}) %}}{{% endfor %}}{{% endfor %}}",
            f"{{% for _ in range({MAX_LOOP_TURNS // MAX_RANGE}) %}}"
            f"{{% for _ in range({MAX_RANGE}) %}}{{% endfor %}}{{% endfor %}}",
        ),
        (
            f"{{% macro m(n) %}}{{% if n < {MAX_CALL_DEPTH} %}}{{{{ m(n + 1) }}}}{{% endif %}}"
            "{% endmacro %}{{ m(1) }}",
            f"{{% macro m(n) %}}{{% if n < {MAX_CALL_DEPTH + 1} %}}{{{{ m(n + 1) }}}}{{% endif %}}"
            "{% endmacro %}{{ m(1) }}",
        ),
    ],
)
def test_limits_sit_where_they_are_documented(allowed: str, refused: str) -> None:
    render(allowed)
    with pytest.raises(TemplateLimitError):
        render(refused)


def test_limits_count_afresh_for_each_render() -> None:
    template = sandbox().from_string(
        f"{{% set s = 'x' * {LIMIT} %}}{{% for _ in range(4) %}}{{{{ s }}}}{{% endfor %}}"
    )
    assert template.render() == template.render() == "x" * LIMIT * 4
