"""faultline_binary: a faultline command line that knows your scenarios.

    load("//framework:faultline_binary.bzl", "faultline_binary")

    faultline_binary(
        name = "faultline",
        deps = [":my_scenarios"],   # alwayslink libraries that register
                                    # scenarios, hooks and fault points
    )

    bazel run //my/pkg:faultline -- run my/pkg/race.textproto
    bazel run //my/pkg:faultline -- replay fl3-... my/pkg/race.textproto

The binary has every subcommand of faultline (run, replay, minimize,
render, trace, check, list-points, list-checks, list-scenarios,
list-hooks); it lists and runs exactly the scenarios, hooks and fault
points its deps register. Plan paths are resolved in the working directory,
then in the workspace (`bazel run` sets BUILD_WORKSPACE_DIRECTORY).
"""

def faultline_binary(name, deps, **kwargs):
    native.cc_binary(
        name = name,
        deps = deps + ["//tools/cli:main"],
        **kwargs
    )
