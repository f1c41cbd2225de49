// See include/CLibFuzzerDriver.h. Written by hand: a three-line shim, no package provides it.
#include "CLibFuzzerDriver.h"

#include <stdlib.h>

// Defined by libclang_rt.fuzzer, linked in by `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));

void sigil_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size)) {
    exit(LLVMFuzzerRunDriver(&argc, &argv, test_one_input));
}
