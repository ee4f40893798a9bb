// The kernels compiled for avx2 (see binding.gyp for the compiler flags of this file).
#define WT_ISA avx2
#define WT_ISA_AVX2 1
#include "impl.h"
