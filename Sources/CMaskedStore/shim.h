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

/* Lane i of the result is `address[i]` for the lanes i set in `mask`, `merge` lane i for the
   others, whose memory is not read (and may be unmapped). */
static inline __attribute__((target("avx512f"), always_inline))
graphcam_float16 graphcam_masked_load(graphcam_float16 merge, const float *address, unsigned short mask) {
    return (graphcam_float16)_mm512_mask_loadu_ps((__m512)merge, (__mmask16)mask, address);
}
