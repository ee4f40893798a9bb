// The kernels compiled for generic (see binding.gyp for the compiler flags of this file).
#define WT_ISA generic
// generic: GCC vector extensions, no ISA flags
#include "impl.h"
