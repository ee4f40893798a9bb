// The kernels compiled for avx512 (see binding.gyp for the compiler flags of this file).
#define WT_ISA avx512
#define WT_ISA_AVX512 1
#include "impl.h"
