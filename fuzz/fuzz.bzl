"""faultline_fuzzer: one fuzz target, built for libFuzzer or as a corpus test.

`bazel build --config=fuzz //fuzz:NAME` gives a libFuzzer binary (clang,
ASan, UBSan); in a normal build the same sources link corpus_main.cc and
NAME_corpus_test replays the checked-in corpus, so `bazel test //...` keeps
every seed and every saved crash input passing.
"""

def faultline_fuzzer(name, srcs, deps, corpus):
    libfuzzer = "//fuzz:libfuzzer"
    native.cc_binary(
        name = name,
        srcs = srcs + ["fuzz_target.h"],
        linkopts = select({
            libfuzzer: ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = deps + select({
            libfuzzer: [],
            "//conditions:default": ["//fuzz:corpus_main"],
        }),
    )
    native.sh_test(
        name = name + "_corpus_test",
        size = "small",
        srcs = ["corpus_test.sh"],
        args = ["$(rootpath :%s)" % name, "fuzz/corpus/" + corpus],
        data = [":" + name] + native.glob(["corpus/%s/*" % corpus]),
    )
