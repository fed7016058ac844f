"""fault_plan_test: a plan file as a (sharded) Bazel test.

    load("//framework:fault_plan_test.bzl", "fault_plan_test")

    fault_plan_test(
        name = "seed_race_prefix_test",
        plan = "seed_race_prefix.textproto",
        deps = ["//btrfs_eb:scenarios"],   # registers the plan's scenario
        shard_count = 4,
    )

The test passes when the plan's expectations hold (exit 0), fails when they
do not (exit 1) and reports bad input with exit 2. Iteration i runs on shard
i % shard_count; a systematic search is split into subtrees of its schedule
tree, dealt out to the shards (framework/explore/shard_split.h), or, if it
cannot be split, runs on shard 0 and the report of every other shard says
why; --runs_per_test N explores N different seed offsets; the
JSON report and the rendered failures land in the test's undeclared outputs
(bazel-testlogs/.../test.outputs/).
"""

def fault_plan_test(name, plan, deps, shard_count = None, size = "medium", tags = [], **kwargs):
    native.cc_test(
        name = name,
        args = ["$(rootpath %s)" % plan],
        data = [plan],
        shard_count = shard_count,
        size = size,
        tags = tags + ["fault_plan"],
        deps = deps + ["//framework/testing:plan_test_main"],
        **kwargs
    )
