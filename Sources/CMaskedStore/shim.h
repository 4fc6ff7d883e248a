/* AVX-512 masked vector stores, which Swift has no spelling for. Only KernelsAVX512, compiled
   for AVX-512 and called after the run-time CPU check, uses them. */
#include <immintrin.h>

typedef float graphcam_float16 __attribute__((ext_vector_type(16)));

/* Stores lane i of `value` to `address[i]` for the lanes i set in `mask`; memory of the other
   lanes is neither read nor written (and may be unmapped). */
static inline __attribute__((target("avx512f"), always_inline))
void graphcam_masked_store(float *address, graphcam_float16 value, unsigned short mask) {
    _mm512_mask_storeu_ps(address, (__mmask16)mask, (__m512)value);
}
