"""The parse corpus: Bazel-style ``.bzl`` and ``BUILD`` files, written the way Bazel users write
them (not the way the parser likes them).

``bzl_file(n)`` and ``build_file(n)`` assemble a file of at least ``n`` lines from a pool of
chunk templates (macros wrapping ``native.*`` rules with ``**kwargs`` and defaults, rule
implementations, providers, constant tables, helpers with comprehensions, ``%`` formatting and
string concatenation, ``select()`` dicts, ``struct(...)`` configs, multi-line strings, comments
and trailing commas everywhere), picked and filled in by a seeded random generator, so every
file is the same from run to run. ``MACRO_25`` and ``BUILD_25`` are hand-written 25-line files;
:func:`macro_thread` gives a thread and predeclared names that let ``MACRO_25``'s macro run
(its ``load`` and ``native.cc_library`` answered by recording stubs).

Every name a file uses that it neither defines nor loads is in :data:`BZL_PREDECLARED` or
:data:`BUILD_PREDECLARED` (Bazel's predeclared names: ``native``, ``select``, ``glob`` ...).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

#: names Bazel predeclares in a .bzl file (that starlite's universe does not have)
BZL_PREDECLARED = [
    "native", "select", "glob", "provider", "rule", "attr", "depset", "Label", "struct",
    "DefaultInfo", "CcInfo", "PyInfo", "OutputGroupInfo", "aspect", "repository_rule",
]
#: names Bazel predeclares in a BUILD file
BUILD_PREDECLARED = [
    "package", "licenses", "exports_files", "glob", "select", "filegroup", "genrule",
    "config_setting", "test_suite", "alias", "package_name",
]

MACRO_25 = '''"""Macros that wrap cc_library with the project's default options."""

load("@bazel_skylib//lib:paths.bzl", "paths")
load("//build/defs:copts.bzl", "DEFAULT_COPTS", _warnings = "WARNING_FLAGS")

def project_cc_library(name, srcs = [], hdrs = [], deps = [], copts = [], **kwargs):
    """A cc_library with the project's copts; `.inc` headers go to srcs.

    Args:
      name: the target name.
      srcs, hdrs, deps, copts, **kwargs: as for cc_library.
    """
    all_copts = DEFAULT_COPTS + _warnings + copts + ["-DTARGET_NAME=\\"%s\\"" % name]
    native.cc_library(
        name = name,
        srcs = srcs + [h for h in hdrs if h.endswith(".inc")],
        hdrs = [h for h in hdrs if not h.endswith(".inc")],
        deps = deps + ["//base:logging"],  # everything logs
        copts = select({
            "//build/config:opt": all_copts + ["-O3"],
            "//conditions:default": all_copts,
        }),
        visibility = kwargs.pop("visibility", ["//visibility:private"]),
        **kwargs
    )
'''

#: the keyword arguments the end-to-end benchmark calls MACRO_25's macro with
MACRO_25_ARGS: dict[str, Any] = {
    "name": "strings",
    "srcs": ["strings.cc", "split.cc"],
    "hdrs": ["strings.h", "split.h", "ascii_table.inc"],
    "deps": ["//base:core", "@com_google_absl//absl/strings"],
    "copts": ["-Wno-sign-compare"],
    "linkstatic": True,
}

BUILD_25 = '''# Strings utilities.
load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")

package(default_visibility = ["//visibility:public"])

licenses(["notice"])  # Apache 2.0

# The library itself; the tests follow.
cc_library(
    name = "strings",
    srcs = glob(["*.cc"], exclude = ["*_test.cc"]),
    hdrs = glob(["*.h"]),
    copts = ["-Wall", "-Werror"],
    deps = [
        "//base:core",
        "@com_google_absl//absl/strings",
    ],
)

[cc_test(
    name = "%s_test" % t,
    srcs = ["%s_test.cc" % t],
    deps = [":strings", "@com_google_googletest//:gtest_main"],
    size = "small",
) for t in ["split", "join", "ascii"]]
'''

_WORDS = (
    "base core util strings net http proto rpc storage cache auth crypto json yaml log "
    "metrics trace config flags io fs path time sync thread pool queue codec image audio "
    "video math stats graph index search query parser lexer ast eval runtime driver"
).split()
_EXTS = ["cc", "cc", "cc", "h", "h", "inc"]


def _name(rnd: random.Random) -> str:
    return "_".join(rnd.sample(_WORDS, rnd.choice((1, 2, 2, 3))))


def _label(rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.5:
        return f"//{rnd.choice(_WORDS)}/{rnd.choice(_WORDS)}:{_name(rnd)}"
    if r < 0.8:
        return f":{_name(rnd)}"
    return f"@com_{rnd.choice(_WORDS)}_{rnd.choice(_WORDS)}//{rnd.choice(_WORDS)}:{_name(rnd)}"


def _str_list(items: list[str], indent: str) -> str:
    """A list literal as buildifier writes it: one item per line when there are several."""
    if len(items) <= 1:
        return "[" + ", ".join(f'"{x}"' for x in items) + "]"
    inner = "".join(f'{indent}    "{x}",\n' for x in items)
    return "[\n" + inner + indent + "]"


def _files(rnd: random.Random, n: int, exts: list[str]) -> list[str]:
    return sorted({f"{_name(rnd)}.{rnd.choice(exts)}" for _ in range(n)})


# ---------------------------------------------------------------------------------------------
# .bzl chunks


def _bzl_macro(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    kind = rnd.choice(("cc_library", "cc_binary", "cc_test"))
    deps = _str_list([_label(rnd) for _ in range(rnd.randint(2, 5))], "        ")
    return f'''
def {n}_{kind}_{i}(
        name,
        srcs = [],
        hdrs = [],
        deps = [],
        copts = [],
        defines = [],
        testonly = False,
        **kwargs):
    """Declares a {kind} for {n} with the standard options.

    Headers ending in `.inc` are textual and go to srcs; every target gets the
    common dependencies below.

    Args:
      name: the name of the target.
      srcs: the sources.
      hdrs: the public headers.
      deps: extra dependencies.
      copts: extra compiler options, after the defaults.
      defines: extra preprocessor definitions.
      testonly: whether only tests may depend on it.
      **kwargs: any other {kind} attribute.
    """
    textual = [h for h in hdrs if h.endswith(".inc")]
    public = [h for h in hdrs if not h.endswith(".inc")]

    # The defaults first, so that a caller's options win.
    all_copts = _DEFAULT_COPTS + copts
    if testonly:
        all_copts = all_copts + ["-DTESTING=1"]
    elif "-O0" in copts:
        all_copts.append("-g")
    else:
        all_copts = all_copts + ["-DNDEBUG"]

    native.{kind}(
        name = name,
        srcs = srcs + textual,
        hdrs = public,
        copts = all_copts + select({{
            "//build/config:linux_x86_64": ["-mavx2", "-DARCH=\\"x86_64\\""],
            "//build/config:macos_arm64": ["-DARCH=\\"arm64\\""],
            "//conditions:default": [],
        }}),
        defines = defines + ["{n.upper()}_VERSION=%d" % {rnd.randint(1, 30)}],
        deps = deps + {deps},
        testonly = testonly,
        **kwargs
    )
'''


def _bzl_provider(rnd: random.Random, i: int) -> str:
    n = "".join(w.capitalize() for w in _name(rnd).split("_"))
    fields = rnd.sample(_WORDS, rnd.randint(3, 6))
    kinds = ("a depset", "a list", "a string", "a dict")
    body = "".join(f'        "{f}": "The {f} of the target ({rnd.choice(kinds)}).",\n'
                   for f in fields)
    return f'''
{n}Info{i} = provider(
    doc = "Information about {n.lower()} targets, for the rules that depend on them.",
    fields = {{
{body}    }},
)
'''


def _bzl_rule(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    tool = _label(rnd)
    ext = rnd.choice(("pb", "json", "txt", "bin"))
    return f'''
def _{n}_impl_{i}(ctx):
    """Runs the {n} tool over every source and collects the outputs."""
    outputs = []
    transitive = [dep[DefaultInfo].files for dep in ctx.attr.deps]
    for src in ctx.files.srcs:
        # One action per source, so that they run in parallel.
        out = ctx.actions.declare_file(src.basename[:-len(src.extension)] + "{ext}")
        args = ctx.actions.args()
        args.add("--input", src)
        args.add("--output", out)
        args.add_all(ctx.attr.flags)
        if ctx.attr.verbose:
            args.add("--verbose")
        ctx.actions.run(
            inputs = [src] + ctx.files.data,
            outputs = [out],
            executable = ctx.executable._tool,
            arguments = [args],
            mnemonic = "{n.title().replace("_", "")}",
            progress_message = "Processing %s for %s" % (src.short_path, ctx.label),
        )
        outputs.append(out)
    files = depset(outputs, transitive = transitive)
    return [
        DefaultInfo(files = files, runfiles = ctx.runfiles(files = ctx.files.data)),
        OutputGroupInfo(all_files = files),
    ]

{n}_rule_{i} = rule(
    implementation = _{n}_impl_{i},
    doc = """Runs {n} over `srcs`.

Each source gives one `.{ext}` output next to it.
""",
    attrs = {{
        "srcs": attr.label_list(allow_files = [".{ext}", ".txt"], mandatory = True),
        "deps": attr.label_list(providers = [DefaultInfo]),
        "data": attr.label_list(allow_files = True),
        "flags": attr.string_list(default = ["--strict"]),
        "verbose": attr.bool(default = False),
        "_tool": attr.label(
            default = Label("{tool}"),
            executable = True,
            cfg = "exec",
        ),
    }},
)
'''


def _bzl_constants(rnd: random.Random, i: int) -> str:
    plats = rnd.sample(["linux", "macos", "windows", "android", "ios", "freebsd"], 3)
    rows = []
    for p in plats:
        flags = ", ".join(f'"-D{w.upper()}"' for w in rnd.sample(_WORDS, 2))
        rows.append(f'''    "{p}": {{
        "copts": [{flags}],
        "linkopts": ["-l{rnd.choice(_WORDS)}"],  # system library
        "enabled": {rnd.choice(("True", "False"))},
        "level": {rnd.randint(0, 3)},
    }},
''')
    return f'''
# Per-platform options, consulted by the macros below.
_PLATFORM_OPTIONS_{i} = {{
{"".join(rows)}}}

_PLATFORMS_{i} = sorted([p for p, o in _PLATFORM_OPTIONS_{i}.items() if o["enabled"]])
_LEVELS_{i} = {{p: o["level"] for p, o in _PLATFORM_OPTIONS_{i}.items()}}
'''


def _bzl_helper(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    return f'''
def _{n}_labels_{i}(names, package = None, suffix = "", prefix = "//"):
    """Turns short names into labels: "foo" -> "//pkg:foo_suffix".

    Names that already look like labels are kept as they are.
    """
    if package == None:
        package = native.package_name()
    labels = []
    for name in names:
        if name.startswith("//") or name.startswith("@") or name.startswith(":"):
            labels.append(name)
            continue
        if "/" in name:
            pkg, _, short = name.rpartition("/")
            labels.append("%s%s:%s%s" % (prefix, pkg, short, suffix))
        else:
            labels.append(prefix + package + ":" + name + suffix)
    return labels

def _{n}_env_{i}(env = {{}}, **kwargs):
    merged = dict(env)
    merged.update(kwargs)
    return ["%s=%s" % (k, merged[k]) for k in sorted(merged.keys()) if merged[k] != None]
'''


def _bzl_tests(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    size = rnd.choice(("small", "medium"))
    return f'''
def {n}_py_tests_{i}(name, srcs, deps = [], data = [], size = "{size}", tags = [], **kwargs):
    """One py_test per source file, and a test_suite called `name` over all of them."""
    tests = []
    for src in srcs:
        if not src.endswith("_test.py"):
            fail("%s: %s is not a test file" % (name, src))
        test_name = src[:-len(".py")].replace("/", "_")
        native.py_test(
            name = test_name,
            srcs = [src],
            main = src,
            deps = deps + ["//testing:pytest_main"],
            data = data,
            size = size,
            tags = tags + (["exclusive"] if size == "large" else []),
            shard_count = kwargs.pop("shard_count", 2 if size != "small" else None),
            python_version = "PY3",
            **kwargs
        )
        tests.append(":" + test_name)
    native.test_suite(name = name, tests = tests, tags = tags)
'''


def _bzl_genrule(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    return f'''
def {n}_gen_header_{i}(name, template, out = None, substitutions = {{}}, visibility = None):
    """Expands `template` into a header with a genrule.

    Keys of `substitutions` are replaced by their values, in sorted order.
    """
    if not out:
        out = name + ".h"
    sed_args = " ".join([
        "-e 's|%s|%s|g'" % (k, substitutions[k])
        for k in sorted(substitutions)
    ])
    native.genrule(
        name = name,
        srcs = [template],
        outs = [out],
        cmd = """
            set -euo pipefail
            sed {{args}} $< > $@
            echo '// generated by {n}, do not edit' >> $@
        """.format(args = sed_args),
        visibility = visibility,
        message = "Generating " + out,
    )
'''


def _bzl_struct(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    return f'''
{n.upper()}_CONFIG_{i} = struct(
    name = "{n}",
    version = "{rnd.randint(1, 9)}.{rnd.randint(0, 20)}.{rnd.randint(0, 99)}",
    urls = [
        "https://mirror.example.com/{n}/archive/v%s.tar.gz" % "{rnd.randint(1, 9)}.0",
        "https://github.com/example/{n}/archive/refs/tags/v{rnd.randint(1, 9)}.0.tar.gz",
    ],
    sha256 = "{rnd.getrandbits(256):064x}",
    strip_prefix = "{n}-%d.%d" % ({rnd.randint(1, 9)}, {rnd.randint(0, 9)}),
    build_options = struct(
        shared = False,
        features = ["{rnd.choice(_WORDS)}", "{rnd.choice(_WORDS)}"],
        jobs = {rnd.randint(1, 16)},
    ),
)
'''


_BZL_CHUNKS: list[tuple[Callable[[random.Random, int], str], int]] = [
    (_bzl_macro, 4), (_bzl_provider, 1), (_bzl_rule, 2), (_bzl_constants, 1),
    (_bzl_helper, 2), (_bzl_tests, 2), (_bzl_genrule, 2), (_bzl_struct, 1),
]

_BZL_HEADER = '''"""Build macros and rules for the {pkg} project.

Load these from BUILD files; see the README for the conventions.
"""

load("@bazel_skylib//lib:paths.bzl", "paths")
load("@bazel_skylib//lib:selects.bzl", "selects")
load("//build/defs:copts.bzl", "COMMON_COPTS", _warnings = "WARNING_FLAGS")

# Applied to every C++ target before the caller's own copts.
_DEFAULT_COPTS = COMMON_COPTS + _warnings + [
    "-std=c++17",
    "-fno-exceptions",  # the project does not use exceptions
]
'''


# ---------------------------------------------------------------------------------------------
# BUILD chunks


def _build_cc(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    hdrs = _str_list(_files(rnd, rnd.randint(1, 4), ["h"]), "    ")
    deps = _str_list(sorted({_label(rnd) for _ in range(rnd.randint(1, 6))}), "    ")
    return f'''
cc_library(
    name = "{n}_{i}",
    srcs = glob(
        ["{n}/*.cc"],
        exclude = ["{n}/*_test.cc"],
    ),
    hdrs = {hdrs},
    copts = COPTS + select({{
        ":opt": ["-O3"],
        "//conditions:default": [],
    }}),
    visibility = ["//visibility:public"],
    deps = {deps},
)

cc_test(
    name = "{n}_{i}_test",
    size = "{rnd.choice(("small", "medium"))}",
    srcs = ["{n}/{n}_test.cc"],
    args = ["--gtest_shuffle"],
    deps = [
        ":{n}_{i}",
        "@com_google_googletest//:gtest_main",
    ],
)
'''


def _build_py(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    srcs = _str_list(_files(rnd, rnd.randint(1, 5), ["py"]), "    ")
    return f'''
py_library(
    name = "{n}_py_{i}",
    srcs = {srcs},
    imports = ["."],
    deps = [
        "{_label(rnd)}",
        requirement("{rnd.choice(("requests", "numpy", "pyyaml", "absl-py", "protobuf"))}"),
    ],
)

py_test(
    name = "{n}_py_{i}_test",
    srcs = ["{n}_test.py"],
    data = glob(["testdata/{n}/**"]),
    env = {{"{n.upper()}_DATA": "$(rootpath testdata/{n})"}},
    deps = [":{n}_py_{i}"],
)
'''


def _build_gen(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    return f'''
genrule(
    name = "{n}_version_{i}",
    srcs = ["VERSION"],
    outs = ["{n}_version_{i}.h"],
    cmd = "echo '#define {n.upper()}_VERSION \\"'$$(cat $<)'\\"' > $@",
)

# Data files shipped with the binary.
filegroup(
    name = "{n}_data_{i}",
    srcs = glob(
        ["data/{n}/**/*.json", "data/{n}/**/*.txt"],
        exclude = ["data/{n}/**/*.tmp"],
        allow_empty = True,
    ),
)
'''


def _build_config(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    return f'''
config_setting(
    name = "{n}_{i}_debug",
    values = {{
        "compilation_mode": "dbg",
        "define": "{n}={rnd.choice(("on", "off"))}",
    }},
)

alias(
    name = "{n}_{i}_impl",
    actual = select({{
        ":{n}_{i}_debug": ":{n}_{i}_debug_impl",  # slower but checked
        "//conditions:default": ":{n}_{i}_fast_impl",
    }}),
)
'''


def _build_comp(rnd: random.Random, i: int) -> str:
    names = rnd.sample(_WORDS, rnd.randint(3, 6))
    n = _name(rnd)
    return f'''
# One test per component; each needs its own fixture.
[cc_test(
    name = "{n}_%s_test" % component,
    srcs = ["tests/%s_test.cc" % component],
    data = ["testdata/" + component + ".json"],
    deps = [
        ":{n}_fixtures",
        "@com_google_googletest//:gtest_main",
    ],
) for component in {_str_list(names, "")}]

test_suite(
    name = "{n}_{i}_tests",
    tests = [":{n}_%s_test" % c for c in {_str_list(names, "    ")}],
)
'''


def _build_bin(rnd: random.Random, i: int) -> str:
    n = _name(rnd)
    return f'''
cc_binary(
    name = "{n}_tool_{i}",
    srcs = ["{n}_main.cc"],
    linkopts = select({{
        "@platforms//os:linux": ["-lpthread", "-ldl"],
        "@platforms//os:macos": ["-framework CoreFoundation"],
        "//conditions:default": [],
    }}),
    malloc = "//tcmalloc",
    deps = [
        ":{n}_lib",
        "//base:init",
        "@com_google_absl//absl/flags:parse",
    ],
)
'''


_BUILD_CHUNKS: list[tuple[Callable[[random.Random, int], str], int]] = [
    (_build_cc, 4), (_build_py, 2), (_build_gen, 2), (_build_config, 1), (_build_comp, 1),
    (_build_bin, 2),
]

_BUILD_HEADER = '''# Targets of the {pkg} package.

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("@rules_python//python:defs.bzl", "py_library", "py_test")
load("@pip//:requirements.bzl", "requirement")

package(
    default_visibility = ["//{pkg}:__subpackages__"],
    features = ["-parse_headers"],
)

licenses(["notice"])  # Apache 2.0

exports_files([
    "LICENSE",
    "VERSION",
])

COPTS = ["-Wall", "-Wextra"] + ["-DPKG=\\"%s\\"" % "{pkg}"]
'''


def _assemble(header: str, chunks: list[tuple[Callable[[random.Random, int], str], int]],
              target_lines: int, seed: int) -> str:
    rnd = random.Random(seed)
    pool = [fn for fn, weight in chunks for _ in range(weight)]
    parts = [header.format(pkg=rnd.choice(_WORDS))]
    lines = parts[0].count("\n")
    i = 0
    while lines < target_lines:
        chunk = rnd.choice(pool)(rnd, i)
        parts.append(chunk)
        lines += chunk.count("\n")
        i += 1
    return "".join(parts)


def bzl_file(target_lines: int, seed: int = 12) -> str:
    """A ``.bzl`` file of at least ``target_lines`` lines."""
    return _assemble(_BZL_HEADER, _BZL_CHUNKS, target_lines, seed)


def build_file(target_lines: int, seed: int = 12) -> str:
    """A ``BUILD`` file of at least ``target_lines`` lines."""
    return _assemble(_BUILD_HEADER, _BUILD_CHUNKS, target_lines, seed)


#: name -> (source, predeclared names): the corpus the benchmarks run
CORPUS: dict[str, tuple[str, list[str]]] = {
    "bzl_25": (MACRO_25, BZL_PREDECLARED),
    "bzl_500": (bzl_file(500), BZL_PREDECLARED),
    "bzl_5000": (bzl_file(5000), BZL_PREDECLARED),
    "build_25": (BUILD_25, BUILD_PREDECLARED),
    "build_500": (build_file(500), BUILD_PREDECLARED),
    "build_5000": (build_file(5000), BUILD_PREDECLARED),
}


def macro_thread() -> tuple[Any, dict[str, Any], list[Any]]:
    """A thread whose ``load`` answers ``MACRO_25``'s loads, the predeclared names its macro
    needs (``native`` with a recording ``cc_library``, ``select`` returning its dict), and the
    list the recorded targets go to."""
    import starlite
    from starlite.builtins import struct_builtin

    targets: list[Any] = []
    modules = {
        "@bazel_skylib//lib:paths.bzl": {"paths": starlite.Struct(sep="/")},
        "//build/defs:copts.bzl": {"DEFAULT_COPTS": ["-Wall", "-Wextra"],
                                   "WARNING_FLAGS": ["-Wshadow"]},
    }
    thread = starlite.Thread(load=lambda module: modules[module])

    def cc_library(thread: Any, **kwargs: Any) -> None:
        targets.append(kwargs)

    native = starlite.Struct(cc_library=starlite.Builtin("cc_library", cc_library))
    pre = {"native": native, "select": starlite.Builtin("select", lambda thread, d: d),
           "struct": struct_builtin}
    return thread, pre, targets
