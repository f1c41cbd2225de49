// Starts libFuzzer from a SwiftPM executable. SwiftPM renames an executable's entry point to `<Target>_main`
// and points `main` at it, so libFuzzer's own `main` (in libclang_rt.fuzzer) cannot be used; each target's
// `@main` calls this instead, which runs libFuzzer's documented `LLVMFuzzerRunDriver` entry point.
#ifndef SIGIL_CLIBFUZZERDRIVER_H
#define SIGIL_CLIBFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the process arguments and the one-input callback, then exits with its status.
_Noreturn void sigil_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
