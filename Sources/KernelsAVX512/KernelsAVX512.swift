// KernelsAVX512: inner loops compiled for AVX-512 (-mavx512f -mfma). Only called after a
// run-time CPU check (see Kernels' CPUFeatures); never call these on other CPUs.
