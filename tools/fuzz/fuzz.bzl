"""lumen_fuzz_target: a libFuzzer binary (built with --config=fuzz) plus a
<name>_replay cc_test that runs the checked-in seed corpus under any compiler."""

load("//bazel:copts.bzl", "LUMEN_TEST_COPTS")

def lumen_fuzz_target(name, srcs, deps, corpus):
    """name: target name; corpus: folder (relative to the package) with seed files."""
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        copts = LUMEN_TEST_COPTS,
        linkopts = select({
            "//tools/fuzz:fuzzing": ["-fsanitize=fuzzer,address"],
            "//conditions:default": [],
        }),
        target_compatible_with = select({
            "//tools/fuzz:fuzzing": [],
            "//conditions:default": ["//tools/fuzz:fuzz_build_only"],
        }),
        deps = deps,
    )
    native.cc_test(
        name = name + "_replay",
        size = "small",
        srcs = srcs + ["//tools/fuzz:fuzz_replay_main.cc"],
        copts = LUMEN_TEST_COPTS,
        args = [native.package_name() + "/" + corpus],
        data = native.glob([corpus + "/*"]),
        deps = deps,
    )
